"""Training and evaluation material for the extractor: the annotated corpus, its dev/test split, `make train`."""
