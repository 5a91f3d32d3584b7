"""Case records: what a child's file says (attrs records), read from JSON, and its JSON Schema.

The lowest layer: it knows nothing of rules, facts, findings or output.
"""
