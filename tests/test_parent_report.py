"""The parent report: sections and headings, plain labels, the chart, and escaping of every
case value (parsed with the standard library's HTML parser, not matched as text)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from iep_rules import case_from_mapping, evaluate, load_case
from iep_rules._errors import CaseError
from iep_rules.render import _plain as plain
from iep_rules.render._parent import parent_html, parent_markdown

PAYLOAD = '<i data-x="1">&amp;\'</i>'


class Page(HTMLParser):
    """Sections with their headings, every element, and all text, as parsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, list[str]] = {}
        self.stack: list[str] = []
        self.text: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self.stack.append(attributes.get("id") or "")
            self.sections[self.stack[-1]] = []
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = tag

    def handle_endtag(self, tag):
        if tag == "section":
            self.stack.pop()
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._heading == "h2" and self.stack:
            self.sections[self.stack[-1]].append(data.strip())


def _page(path: str, day: dt.date, rulebook) -> tuple[str, Page]:
    case = load_case(path)
    html = parent_html(evaluate(rulebook, case, as_of=day), case)
    page = Page()
    page.feed(html)
    return html, page


def test_sections_each_have_one_heading_and_the_summary_comes_first(rulebook):
    _, page = _page("examples/ledger-speech.json", dt.date(2024, 11, 29), rulebook)
    assert list(page.sections) == ["summary", "findings", "services", "about"]
    assert all(len(headings) == 1 for headings in page.sections.values())
    assert page.sections["summary"] == ["Summary"]
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in (
        page.tags)
    style = "".join(page.text)
    assert "@media print" in style


def test_labels_are_plain_words(rulebook):
    _, page = _page("examples/ledger-speech.json", dt.date(2024, 11, 29), rulebook)
    text = " ".join(" ".join(page.text).split())
    assert "Speech therapy, IEP of 2024-10-07: 16 expected, 9 delivered, 5 owed" in text
    assert "the week of 2024-11-18 to 2024-11-22" in text  # not 2024-W47
    assert "2024-W47" not in text
    import re

    assert re.search(r"\b\d+ rules broken\b|\b1 rule broken\b", text)
    assert not re.search(r"\b1 rules\b|\b([02-9]|\d\d+) rule broken\b", text)
    assert "$.ieps" not in text  # JSON paths stay in the JSON output
    assert "speech_language_therapy" not in text
    assert "The file does not say" in text  # needs-data in words


def test_chart_has_axes_values_and_legend_adding_up_to_the_ledger(rulebook):
    case = load_case("examples/ledger-speech.json")
    report = evaluate(rulebook, case, as_of=dt.date(2024, 11, 29))
    page = Page()
    page.feed(parent_html(report, case))
    svg_text = [t for t in page.text if t.strip()]
    assert "minutes" in svg_text
    legend = {t.strip() for t in page.text}
    assert {"required", "delivered", "made up later", "missed: provider absent"} <= legend
    rects = [a for tag, a in page.tags if tag == "rect"]
    assert rects and all(float(a["width"]) >= 0 for a in rects)
    ledger = report.ledger[0]
    # the month rows add up to the ledger's totals
    from iep_rules.render._parent import chart

    months = chart(ledger)["months"]
    assert sum(m["expected"] for m in months) == ledger.expected_minutes
    assert sum(m["delivered"] for m in months) == ledger.delivered_minutes
    assert sum(m["missed"] for m in months) == sum(s.minutes for s in ledger.missed_items)


def _poisoned(path: str) -> dict:
    """The case with PAYLOAD appended to every string the case format accepts it in."""
    data = json.loads(Path(path).read_text())

    def leaves(node, trail=()):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, (*trail, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from leaves(v, (*trail, i))
        elif isinstance(node, str):
            yield trail

    def put(doc, trail, value):
        for key in trail[:-1]:
            doc = doc[key]
        doc[trail[-1]] = value

    def get(doc, trail):
        for key in trail:
            doc = doc[key]
        return doc

    # Ids and the references to them are changed together, so links survive.
    ids = {get(data, t) for t in leaves(data) if t[-1] in ("id", "service")}
    out = copy.deepcopy(data)
    for trail in list(leaves(data)):
        original = get(data, trail)
        if original in ids and trail[-1] in ("id", "service"):
            put(out, trail, original + PAYLOAD)
            continue
        trial = copy.deepcopy(out)
        put(trial, trail, original + PAYLOAD)
        try:
            case_from_mapping(trial)
        except CaseError:
            continue
        out = trial
    return out


@pytest.mark.parametrize("path,day", [("examples/ledger-speech.json", dt.date(2024, 11, 29)),
                                      ("examples/ny-grade9.json", dt.date(2026, 11, 23))])
def test_every_case_value_is_escaped(rulebook, path, day):
    data = _poisoned(path)
    assert json.dumps(data).count("data-x") >= 5  # the payload got into the case
    case = case_from_mapping(data)
    html = parent_html(evaluate(rulebook, case, as_of=day), case)
    page = Page()
    page.feed(html)
    assert not [a for tag, a in page.tags if tag == "i" or "data-x" in a]  # no element injected
    assert PAYLOAD not in html
    assert "&lt;i data-x=&#34;1&#34;&gt;" in html  # shown as text instead
    assert any(PAYLOAD in t for t in page.text)


def test_words_helpers():
    assert plain.count(1, "rule broken", "rules broken") == "1 rule broken"
    assert plain.severity_count("violation", 2) == "2 rules broken"
    assert plain.severity_count("needs-data", 1) == "1 question the file cannot answer"
    assert plain.period("2024-W44") == "the week of 2024-10-28 to 2024-11-01"
    assert plain.period("2024-W48") == "the week of 2024-11-25 to 2024-11-29"
    assert plain.period("2024-10-07..2025-10-06") == "2024-10-07 to 2025-10-06"
    assert plain.period("2024-11") == "November 2024"
    assert plain.period("2024-10-14") == "14 October 2024"


def test_markdown_has_the_summary_first_and_plain_words(rulebook):
    case = load_case("examples/ledger-speech.json")
    md = parent_markdown(evaluate(rulebook, case, as_of=dt.date(2024, 11, 29)), case)
    md = md.replace("\\", "")  # Markdown escapes of punctuation (render/_inert.markdown_text)
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Summary"
    assert "Speech therapy, IEP of 2024-10-07: 16 expected, 9 delivered, 5 owed" in md
    assert "$.ieps" not in md


def test_markdown_escapes_case_text(rulebook):
    data = _poisoned("examples/ledger-speech.json")
    case = case_from_mapping(data)
    md = parent_markdown(evaluate(rulebook, case, as_of=dt.date(2024, 11, 29)), case)
    import re

    assert not re.search(r"(?<!\\)<i ", md) and "\\<i data-x=" in md
