"""Testing toolkit: hypothesis strategies, rule-file examples, and the pytest plugin."""
