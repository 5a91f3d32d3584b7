"""The disk cache of checked rule files (rulebook/_cache.py): the same rulebook with and without
it, and an entry that is damaged, hostile or not this user's alone is ignored, never trusted."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from iep_rules import RuleFileError
from iep_rules.rulebook import _cache
from iep_rules.rulebook._rulebook import _parse_once, load_rulebook


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.delenv("IEP_RULES_NO_CACHE", raising=False)
    monkeypatch.setenv("IEP_RULES_CACHE_DIR", str(folder))
    _parse_once.cache_clear()  # the in-process cache would hide the disk cache
    yield folder
    _parse_once.cache_clear()


def _fresh_layers():
    _parse_once.cache_clear()
    return load_rulebook().layers


@pytest.fixture(scope="module")
def plain():
    """The bundled layers parsed without the disk cache (once: they are immutable)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IEP_RULES_NO_CACHE", "1")
        layers = _fresh_layers()
    _parse_once.cache_clear()
    return layers


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A cache folder the bundled rule files were written to (once; tests damage copies)."""
    folder = tmp_path_factory.mktemp("written") / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("IEP_RULES_NO_CACHE", raising=False)
        patch.setenv("IEP_RULES_CACHE_DIR", str(folder))
        _fresh_layers()
    _parse_once.cache_clear()
    return folder


@pytest.fixture
def filled(cache, written):
    """`cache`, holding a copy of every entry the bundled rule files wrote."""
    shutil.copytree(written, cache)
    return cache


def _uncached_layers(monkeypatch):
    monkeypatch.setenv("IEP_RULES_NO_CACHE", "1")
    layers = _fresh_layers()
    monkeypatch.delenv("IEP_RULES_NO_CACHE")
    return layers


def _parses(monkeypatch) -> list[str]:
    """Names of the files the real YAML parser reads from now on."""
    seen: list[str] = []
    real = _cache.parse_yaml

    def spy(raw, filename):
        seen.append(filename)
        return real(raw, filename)

    monkeypatch.setattr(_cache, "parse_yaml", spy)
    return seen


def test_a_cached_rulebook_equals_a_parsed_one(cache, monkeypatch):
    plain = _uncached_layers(monkeypatch)
    assert not cache.exists()  # turned off: nothing written
    first = _fresh_layers()  # parses and writes
    entries = sorted(cache.glob("*.json"))
    assert len(entries) == len(plain)
    parsed = _parses(monkeypatch)
    second = _fresh_layers()  # reads every file from the cache
    assert parsed == []
    assert first == plain and second == plain
    assert [layer.rules for layer in second] == [layer.rules for layer in plain]


def test_entries_are_data_named_by_content_and_code(cache, monkeypatch):
    _fresh_layers()
    entry = next(cache.glob("*.json"))
    digest, code, fmt = entry.stem.rsplit("-", 2)
    assert len(digest) == 64 and int(fmt) == _cache.FORMAT
    assert code == _cache.code_fingerprint() and len(code) == 16
    doc = json.loads(entry.read_text(encoding="ascii"))
    assert set(doc) == {"key", "digest", "payload"} and doc["key"] == entry.stem
    assert set(doc["payload"]) == {"data", "marks"}
    assert os.stat(entry).st_mode & 0o077 == 0


def test_the_code_fingerprint_follows_every_module(monkeypatch, tmp_path):
    package = tmp_path / "pkg"
    (package / "lang").mkdir(parents=True)
    module = package / "lang" / "_yaml.py"
    module.write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(_cache, "_PACKAGE", package)
    _cache.code_fingerprint.cache_clear()
    try:
        before = _cache.code_fingerprint()
        os.utime(module, ns=(0, os.stat(module).st_mtime_ns + 10**9))
        _cache.code_fingerprint.cache_clear()
        assert _cache.code_fingerprint() != before  # an edited module: no entry of before
    finally:
        _cache.code_fingerprint.cache_clear()


def _damage(entry: Path, change, resign: bool = True) -> None:
    """Change an entry. With `resign`, its digest is made to match again, as an entry written
    that way would be: what the checks behind the digest do is tested, not only the digest."""
    doc = json.loads(entry.read_text(encoding="ascii"))
    text = change(doc)
    if isinstance(text, str):
        entry.write_text(text, encoding="ascii")
    elif resign:
        entry.write_text(_cache.entry_text(doc["key"], doc["payload"]), encoding="ascii")
    else:
        entry.write_text(json.dumps(doc), encoding="ascii")


def _data(doc):
    return doc["payload"]["data"]


def _deep(doc):
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    _data(doc)["title"] = deep


def _unbuildable(data):
    """Schema-valid, but no model: an unknown fact, a date that does not exist."""
    for rule in data.get("rules", []):
        rule["when"] = {"fact": "no_such_fact", "is": 1}
    for param in data.get("parameters", []):
        param["values"][0]["from"] = "2024-02-30"
    assert data.get("rules") or data.get("parameters")


DAMAGE = {
    "not json": lambda doc: "{not json",
    "truncated": lambda doc: json.dumps(doc)[:100],
    "a list": lambda doc: "[]",
    "another key": lambda doc: doc.update(key="0" * 64),
    "infinity": lambda doc: json.dumps(doc).replace('"key"', '"x": Infinity, "key"', 1),
    "huge integer": lambda doc: _data(doc).update(title=2**60),
    "tiny float": lambda doc: _data(doc).update(title=1e-9),
    "lone surrogate": lambda doc: json.dumps(doc).replace('"jurisdiction"', '"juris\\ud800diction"', 1),
    "too deep": _deep,
    "marks not a list": lambda doc: doc["payload"].update(marks={"a": 1}),
    "bad mark": lambda doc: doc["payload"]["marks"].append([["rules"], 0, True]),
    "boolean in a path": lambda doc: doc["payload"]["marks"].append([[True], 1, 1]),
    "a mark missing": lambda doc: doc["payload"]["marks"].pop(),
    "not a rule file": lambda doc: _data(doc).update(rules="none"),
    "not what the model allows": lambda doc: _unbuildable(_data(doc)),
}


# Two kinds of damage in the fast set; every kind in the full set (each parses every file again).
FAST_DAMAGE = ("not json", "another key")


@pytest.mark.parametrize("how", [how if how in FAST_DAMAGE else pytest.param(
    how, marks=pytest.mark.slow) for how in DAMAGE])
def test_a_damaged_entry_is_ignored_and_the_file_parsed(filled, plain, monkeypatch, how):
    for entry in filled.glob("*.json"):
        _damage(entry, DAMAGE[how])
        os.chmod(entry, 0o600)
    parsed = _parses(monkeypatch)
    assert _fresh_layers() == plain
    assert len(parsed) == len(plain)  # every file parsed again, none trusted


def test_a_changed_entry_is_refused_by_its_digest(filled, plain, monkeypatch):
    entries = list(filled.glob("*.json"))
    for entry in entries:  # well-formed, plain data, schema-valid: only the digest says
        _damage(entry, lambda doc: _data(doc).update(title="changed"), resign=False)
        os.chmod(entry, 0o600)
    parsed = _parses(monkeypatch)
    assert _fresh_layers() == plain
    assert len(parsed) == len(entries)


def test_a_hit_skips_only_the_example_cases(filled, plain, monkeypatch):
    """A hit builds the model again (conditions, facts, positions) but does not structure
    the example cases, whose verdict the entry was written on."""
    from iep_rules.lang import _rulefile

    structured: list[object] = []
    real = _rulefile.case_from_mapping
    monkeypatch.setattr(_rulefile, "case_from_mapping",
                        lambda data, **kw: structured.append(data) or real(data, **kw))
    built: list[object] = []
    real_build = _rulefile._Builder.rule
    monkeypatch.setattr(_rulefile._Builder, "rule",
                        lambda self, *a: built.append(a) or real_build(self, *a))
    assert _fresh_layers() == plain
    assert structured == []
    assert len(built) == sum(len(layer.rules) for layer in plain)


def test_a_tampered_example_changes_no_check(cache, monkeypatch):
    """An entry re-signed with example cases that do not structure (a digest cannot stop
    someone who may write the cache folder) is used, but `check` never reads example cases,
    and `iep-rules test` parses the rule files it runs itself: neither output changes."""
    from click.testing import CliRunner

    from iep_rules.cli import cli

    case = Path(__file__).resolve().parents[1] / "examples" / "ny-grade9.json"
    args = ["check", str(case), "--as-of", "2025-03-01", "--format", "json"]
    _parse_once.cache_clear()
    before = CliRunner().invoke(cli, args)
    spoilt = []
    for entry in cache.glob("*.json"):
        def spoil(doc):
            for rule in _data(doc).get("rules", []):
                for example in rule.get("examples", []):
                    example["case"] = {"student": "not a record"}
                    spoilt.append(rule["id"])
        _damage(entry, spoil)
        os.chmod(entry, 0o600)
    assert spoilt
    parsed = _parses(monkeypatch)
    _parse_once.cache_clear()
    after = CliRunner().invoke(cli, args)
    assert parsed == []  # the re-signed entries were used
    assert (after.exit_code, after.output) == (before.exit_code, before.output)


def test_an_entry_others_may_write_is_ignored(filled, plain, monkeypatch):
    entries = list(filled.glob("*.json"))
    for entry in entries:  # a well-formed entry, but with the rules changed
        _damage(entry, lambda doc: _data(doc).update(title="tampered"))
        os.chmod(entry, 0o666)
    parsed = _parses(monkeypatch)
    assert _fresh_layers() == plain
    assert len(parsed) == len(entries)


def test_a_file_with_a_bad_example_case_is_never_cached(cache, tmp_path):
    """Entries are written only for files that passed every check, example cases included:
    a hit may then leave the example cases out, and the error is given every time."""
    bad = tmp_path / "bad-example.yaml"
    bad.write_text(
        "jurisdiction: US\nrules:\n  - id: my.rule\n    title: t\n    topic: iep-contents\n"
        "    severity: notice\n    scope: iep\n    when: {fact: id, is: x}\n    message: m\n"
        "    cite: [{authority: x, verified: true}]\n    examples:\n"
        "      - {name: e, expect: fires, case: {id: c, jurisdiction: US, student: {id: s}, "
        "ieps: [{id: x, services: [{id: a, name: b, weekdays: [Mon]}]}]}}\n", encoding="utf-8")
    messages = []
    for _ in range(2):
        _parse_once.cache_clear()
        with pytest.raises(RuleFileError) as caught:
            load_rulebook(bad, bundled=False)
        messages.append(caught.value.format_message())
    assert "example case:" in messages[0] and messages[0] == messages[1]
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert not list(cache.glob(f"{digest}-*"))


def test_a_file_that_does_not_parse_is_never_cached(cache, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdiction: US\nrules: [\n", encoding="utf-8")
    for _ in range(2):
        _parse_once.cache_clear()
        with pytest.raises(RuleFileError, match=r"bad\.yaml"):
            load_rulebook(bad)
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert not list(cache.glob(f"{digest}-*"))


def test_an_unwritable_cache_folder_is_not_an_error(cache, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("IEP_RULES_CACHE_DIR", str(blocker / "cache"))
    assert _fresh_layers() == _uncached_layers(monkeypatch)


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("IEP_RULES_NO_CACHE", raising=False)
    monkeypatch.delenv("IEP_RULES_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_dir() == tmp_path / "iep-rules"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert _cache.cache_dir() == Path.home() / ".cache" / "iep-rules"
    monkeypatch.setenv("IEP_RULES_NO_CACHE", "1")
    assert _cache.cache_dir() is None


def _nested(levels: int) -> object:
    deep: object = "x"
    for _ in range(levels):
        deep = [deep]
    return deep


@pytest.mark.parametrize(("data", "plain"), [
    ({"a": [1, 2.5, "x", None, True, -0.5, 0.0]}, True),
    ({"a": "\ud800"}, False), ({"\udc00": 1}, False), (["\ud83d", "\ude00"], False),
    ([2**53 - 1], True), ([2**53], False), ([1e-9], False), ([float("nan")], False),
    ([float("inf")], False), ([1e300], False), ({"a": {1, 2}}, False), ({1: "a"}, False),
    (_nested(64), True), (_nested(65), False),
    (list(range(199_999)), True), (list(range(200_000)), False),
])
def test_what_an_entry_may_hold(data, plain):
    """The loader's own limits: what `lang._yaml` can produce and nothing else."""
    assert _cache._plain(data) is plain
