"""Importers: turn other systems' records into iep-rules case documents.

Each importer reads a foreign format and yields plain case mappings that
`iep_rules.case_from_mapping` accepts, plus what it could not map and why.
"""
