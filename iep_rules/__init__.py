"""iep-rules."""
