"""Bundled rule files (data only)."""
