"""PTransforms, DoFns, and the plain functions that hold each stage's logic."""
