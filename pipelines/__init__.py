"""Beam pipeline assembly and the command line."""
