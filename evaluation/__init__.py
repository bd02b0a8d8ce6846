"""Scoring extraction against gold annotations (the format of the project's gold files)."""
