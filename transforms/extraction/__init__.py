"""Event extraction as spaCy components and plain functions: triggers, roles, modality, the sentence classifier
and confidence; ``transforms/extract.py`` puts them together."""
