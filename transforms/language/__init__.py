"""From text to events: cleaning, dates, actors, the spaCy pipeline and the extractors, with their data files."""
