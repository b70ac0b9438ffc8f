"""Facts -> RDF: `iris` mints every entity's IRI (content-derived, independent of ingest order)
and holds the entity-resolution key; `build` turns a document's extracted facts into its
named graph (`build_graph(doc) -> (disclosure IRI, rdflib.Graph)`)."""
