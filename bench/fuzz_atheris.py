"""Coverage-guided fuzzing of the two untrusted inputs: rule files and case files (not a test;
run by hand, see docs/fuzzing.md). Any exception other than the library's own errors is a bug.

Run: python bench/fuzz_atheris.py -atheris_runs=200000
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from iep_rules._errors import CaseError
    from iep_rules.case._io import case_from_mapping, parse_json
    from iep_rules.lang._rulefile import parse_layer


def one_input(data: bytes) -> None:
    if not data:
        return
    if data[0] % 2:
        layer, problems = parse_layer(data[1:], "fuzz.yaml")
        assert (layer is None) == bool(problems)
    else:
        try:
            case_from_mapping(parse_json(data[1:], "fuzz.json"))
        except CaseError as exc:
            assert exc.problems


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
