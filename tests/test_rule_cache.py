"""The disk cache of parsed rule files (rulebook/_cache.py): the same rulebook with and without
it, and an entry that is damaged, hostile or not this user's alone is ignored, never trusted."""

from __future__ import annotations

import hashlib
import json
import os
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


def test_entries_are_data_named_by_content_and_version(cache, monkeypatch):
    _fresh_layers()
    entry = next(cache.glob("*.json"))
    digest, version, fmt = entry.stem.rsplit("-", 2)
    assert len(digest) == 64 and int(fmt) == _cache.FORMAT
    assert version == _cache.package_version()
    doc = json.loads(entry.read_text(encoding="ascii"))
    assert set(doc) == {"key", "data", "marks"} and doc["key"] == entry.stem
    assert os.stat(entry).st_mode & 0o077 == 0


def _damage(entry: Path, change) -> None:
    doc = json.loads(entry.read_text(encoding="ascii"))
    text = change(doc)
    entry.write_text(text if isinstance(text, str) else json.dumps(doc), encoding="ascii")


def _data(doc):
    return doc["data"]


def _deep(doc):
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    _data(doc)["title"] = deep


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
    "marks not a list": lambda doc: doc.update(marks={"a": 1}),
    "bad mark": lambda doc: doc["marks"].append([["rules"], 0, True]),
    "boolean in a path": lambda doc: doc["marks"].append([[True], 1, 1]),
}


# Two kinds of damage in the fast set; every kind in the full set (each loads the rulebook 3 times).
FAST_DAMAGE = ("not json", "another key")


@pytest.mark.parametrize("how", [how if how in FAST_DAMAGE else pytest.param(
    how, marks=pytest.mark.slow) for how in DAMAGE])
def test_a_damaged_entry_is_ignored_and_the_file_parsed(cache, monkeypatch, how):
    plain = _uncached_layers(monkeypatch)
    _fresh_layers()
    for entry in cache.glob("*.json"):
        _damage(entry, DAMAGE[how])
        os.chmod(entry, 0o600)
    parsed = _parses(monkeypatch)
    assert _fresh_layers() == plain
    assert len(parsed) == len(plain)  # every file parsed again, none trusted


def test_an_entry_others_may_write_is_ignored(cache, monkeypatch):
    plain = _uncached_layers(monkeypatch)
    _fresh_layers()
    entries = list(cache.glob("*.json"))
    for entry in entries:  # a well-formed entry, but with the rules changed
        _damage(entry, lambda doc: _data(doc).update(title="tampered"))
        os.chmod(entry, 0o666)
    parsed = _parses(monkeypatch)
    assert _fresh_layers() == plain
    assert len(parsed) == len(entries)


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
