"""Derived facts: what a case means on a date (ages, clocks, the IEP in effect, the ledger).

Reads case records only; knows nothing of rule files, the engine or output.
"""
