"""Which jurisdiction codes mean something: a code with a rule layer, or a US state without
one (federal rules only, said in the report). Anything else is refused, never a silent pass."""

from __future__ import annotations

from collections.abc import Collection

from .._errors import JurisdictionError

# USPS codes of the states, DC and the outlying areas IDEA Part B applies to (34 CFR 300.40).
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "AS", "GU", "MP", "VI",
})


def layer_note(code: str, layer_codes: Collection[str]) -> str | None:
    """None when `code` has its own layer; a note when it is a US state without one.

    Raises `JurisdictionError` naming the known codes for anything else (a misspelling such as
    `NY` or `us-ny`, an unknown state, a district without a layer)."""
    if code in layer_codes:
        return None
    parts = code.split("-")
    if len(parts) == 2 and parts[0] == "US" and parts[1] in US_STATES:
        return f"no {code} layer: federal rules only"
    known = ", ".join(sorted(layer_codes))
    raise JurisdictionError(
        f"unknown jurisdiction {code!r}: known codes are {known}, or US-XX for any other US "
        "state (XX its two-letter postal code; federal rules only)")
