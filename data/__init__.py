"""The synthetic disclosure generator, one module per job (each imports only those above it):

- vocab: the words (agency types, duties, projects, policy titles, classification code names)
- world: the invented places, bureaus, agencies, projects and policies, from the seed alone
- money: one agency-year's budget and final account, and how a document prints amounts
- document: the block model (headings, paragraphs, tables) the parts write and renderers read
- disclosure: one disclosure in the making, and the record of what it printed
- narrative: parts one, two and four in prose; tables: part three; truth: the ground truth and cases
- corpus: which documents a corpus holds, each one built from its parts
- renderers: the text export and the PDF; output: the corpus folder; generate: the command line
"""
