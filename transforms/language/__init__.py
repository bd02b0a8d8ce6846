"""From text to events: article preparation and cleaning, dates, actors, the spaCy pipeline, the extractors and
the choice of evidence, with their data files."""
