"""The rule language: safe YAML with positions, the rule model, conditions and their compiler.

Checks fact paths against the fact declarations; knows nothing of layers, engines or output.
"""
