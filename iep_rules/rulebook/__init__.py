"""Rulebooks: rule files in jurisdiction layers (US > US-NY > US-NY-NYC), parameters by date."""
