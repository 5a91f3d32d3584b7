"""The generated Python never contains rule-file text: only generated names and fixed templates."""

from __future__ import annotations

import datetime as dt
import linecache
import re
import traceback

from iep_rules import case_from_mapping, evaluate, load_rulebook
from iep_rules.engine._evaluate import PythonBackend

HOSTILE = "__import__('os').system('echo pwned')"


def hostile_rulebook(tmp_path):
    """A rule whose literals are Python code: none of it may reach generated source."""
    (tmp_path / "hostile.yaml").write_text(f"""\
jurisdiction: US
rules:
  - id: custom.hostile
    title: hostile literal
    topic: timelines
    severity: notice
    scope: iep
    when:
      any:
        - {{fact: id, is: "{HOSTILE}"}}
        - {{fact: id, in: ["x'); import os; ('", "{HOSTILE}"]}}
    message: "{{id}}"
    cite: [{{authority: "34 CFR 300.324(b)(1)(i)", verified: true}}]
""")
    return load_rulebook(tmp_path)


def test_generated_source_holds_no_rule_text(tmp_path):
    book = hostile_rulebook(tmp_path)
    backend = PythonBackend(book.resolve("US").rules)
    source = "\n".join(backend.sources.values())
    assert "import" not in source and "os" not in re.findall(r"[A-Za-z_]+", source)
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    allowed = {"def", "run", "ns", "P", "ctx", "out", "t", "if", "else", "is", "None", "not",
               "or", "and", "in", "get", "append", "return", "min", "max", "len", "student_dob",
               "_contains_any"}
    assert {tok for tok in tokens if not re.fullmatch(r"_[kft]\d+", tok)} <= allowed
    case = case_from_mapping({"id": "c", "jurisdiction": "US", "student": {"id": "s"},
                              "ieps": [{"id": HOSTILE}]})
    report = evaluate(book, case, as_of=dt.date(2025, 1, 1))
    assert [f.rule_id for f in report.findings if f.rule_id == "custom.hostile"] == ["custom.hostile"]
    assert [f.message for f in report.findings if f.rule_id == "custom.hostile"] == [HOSTILE]


def test_a_traceback_through_generated_code_shows_the_generated_line(rulebook):
    backend = PythonBackend(rulebook.resolve("US").rules)
    fn, _ = backend.programs["iep"]
    try:
        fn(None, {}, None)  # type: ignore[arg-type]  # no namespace: fails in the first rule
    except AttributeError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
    else:
        raise AssertionError("the generated code did not fail on a missing namespace")
    generated = [f for f in frames if f.filename.startswith("<iep-rules generated iep #")]
    assert generated, [f.filename for f in frames]
    frame = generated[-1]
    assert frame.line and frame.line.startswith("t = ") and "ns.get(" in frame.line
    source_lines = backend.sources["iep"].splitlines()
    assert source_lines[frame.lineno - 1].strip() == frame.line
    assert linecache.getline(frame.filename, frame.lineno).strip() == frame.line
    # every compiled scope has a file name of its own
    names = {fn.__code__.co_filename for fn, _ in backend.programs.values()}
    assert len(names) == len(backend.programs)
