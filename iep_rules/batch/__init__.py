"""Batch runs: many cases from a source (JSON Lines, folders, importers) through the engine."""
