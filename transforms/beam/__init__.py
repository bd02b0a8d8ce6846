"""The Beam layer: composite PTransforms and DoFns that only move data between the stage functions."""
