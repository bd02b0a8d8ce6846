"""The stages: ``beam/`` (the Beam layer, which only moves data) and the plain stage logic it calls, by job:
``sources/`` (feeds, pages, replay files, web archives), ``language/`` (text to events) and ``storage/``."""
