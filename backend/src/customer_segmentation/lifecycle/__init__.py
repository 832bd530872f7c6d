"""Segments across retraining: stable ids by matching a run to its parent, migration and drift."""
