"""Scoring extraction against gold annotations (the format of the project's gold files), and the keyword-alert
baseline it must beat."""
