"""One module per kind of question; each handler takes the Question and returns a Result,
or None when the graph cannot say (the answerer then tries the text)."""
