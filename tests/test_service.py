"""The HTTP service answers exactly what the CLI prints, and refuses bad input clearly."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("fastapi")  # the `service` extra

from fastapi.testclient import TestClient

from iep_rules import BACKENDS, CaseError, Rulebook, load_case, load_rulebook
from iep_rules.cli import _main as cli_module
from iep_rules.cli import cli
from iep_rules.lang._rulefile import parse_layer
from iep_rules.service import _app as service_app
from iep_rules.service import _library as library
from iep_rules.service._app import create_app
from iep_rules.service._service import JURISDICTION_PATTERN
from iep_rules.service._settings import (
    ENV_API_KEY,
    ENV_API_KEY_FILE,
    ENV_RULES,
    ENV_TIME_LIMIT,
    Settings,
    SettingsError,
    is_loopback,
    read_api_key,
    settings_from_env,
)

AS_OF = "2026-11-23"
EXAMPLES = ["ny-grade9", "compliant-ny", "compliant-us", "ledger-speech"]
SAMPLE = "examples/district-sample.jsonl"
KEY = "k3y-for-tests-only-0123456789"


@pytest.fixture(scope="module")
def client(rulebook) -> TestClient:
    return TestClient(create_app(Settings(), rulebook))


@pytest.fixture(autouse=True)
def _cli_shares_the_loaded_rulebook(rulebook, monkeypatch):
    """The CLI loads the bundled rules on every call; hand it the session's copy instead, so
    these comparisons stay fast (the extra-rules path is not used here)."""
    monkeypatch.setattr(cli_module, "load_rulebook", lambda *extra: rulebook if not extra
                        else load_rulebook(*extra))


def _body(name: str) -> bytes:
    return Path(f"examples/{name}.json").read_bytes()


@pytest.mark.parametrize("name", EXAMPLES)
def test_check_is_byte_for_byte_the_cli_json(client, name):
    cli_out = CliRunner().invoke(cli, ["check", f"examples/{name}.json", "--as-of", AS_OF,
                                       "--format", "json"]).output
    response = client.post(f"/check?as_of={AS_OF}", content=_body(name))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == cli_out


@pytest.mark.durable
def test_check_query_parameters_match_the_cli_options(client):
    args = ["check", "examples/ny-grade9.json", "--as-of", "2025-01-15", "--format", "json",
            "--jurisdiction", "US", "--backend", "durable"]
    cli_out = CliRunner().invoke(cli, args).output
    response = client.post("/check?as_of=2025-01-15&jurisdiction=US&backend=durable",
                           content=_body("ny-grade9"))
    assert response.status_code == 200 and response.text == cli_out
    assert json.loads(cli_out)["jurisdiction"] == "US"


def test_ledger_is_the_cli_ledger_json(client):
    cli_out = CliRunner().invoke(cli, ["ledger", "examples/ledger-speech.json", "--as-of",
                                       "2024-11-29", "--format", "json"]).output
    response = client.post("/ledger?as_of=2024-11-29", content=_body("ledger-speech"))
    assert response.status_code == 200 and response.text == cli_out
    [mandate] = json.loads(response.text)  # the example has one speech mandate
    assert mandate["owed"] > 0  # sessions are owed in it, so the ledger is not trivially empty


def test_audit_streams_the_cli_jsonl_with_every_bad_record_counted(client):
    text = Path(SAMPLE).read_text(encoding="utf-8")
    batch = text + "\n\n{not json\n" + '{"id": "x", "jurisdiction": "US-ZZ", "student": {"id": "s"}}\n'
    cli_out = CliRunner().invoke(cli, ["audit", "-", "--as-of", AS_OF, "--quiet"],
                                 input=batch).output
    response = client.post(f"/audit?as_of={AS_OF}", content=batch.encode())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    got = [json.loads(line) for line in response.text.splitlines()]
    want = [json.loads(line) for line in cli_out.splitlines()]
    for row in want:
        if "source" in row:
            row["source"] = "<request body>"
    assert got == want  # US-ZZ (no such state) is the same record error as on the command line
    assert got[-2]["type"] == "error" and "US-ZZ" in got[-2]["problems"][0]
    summary = got[-1]
    assert summary["type"] == "summary" and summary["reconciled"] is True
    assert (summary["records_in"], summary["results"], summary["errors"]) == (8, 4, 4)


def test_rule_catalog_and_schemas_match_the_cli(client):
    for args, path in ((["rules", "list", "--jurisdiction", "US-NY", "--format", "json"],
                        "/rules?jurisdiction=US-NY"),
                       (["rules", "list", "--topic", "timelines", "--severity", "violation",
                         "--format", "json"], "/rules?topic=timelines&severity=violation"),
                       (["schema", "case"], "/schemas/case"),
                       (["schema", "rules"], "/schemas/rules")):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == json.loads(CliRunner().invoke(cli, args).output), path


def test_explain_shows_parameters_after_overlays(client):
    ny = client.get("/rules/idea.iep.transition-services?jurisdiction=US-NY").json()
    us = client.get("/rules/idea.iep.transition-services?jurisdiction=US").json()
    [ny_age], [us_age] = ny["parameters"], us["parameters"]
    assert (ny_age["name"], ny_age["values"][-1]["value"], ny_age["layer"]) == \
        ("transition_age", 15, "US-NY")
    assert (us_age["values"][-1]["value"], us_age["layer"]) == (16, "US")
    assert ny["citations"][0]["authority"] == "34 CFR 300.320(b)(1)" and ny["examples"]


def test_explain_unknown_or_disabled_rule_is_404_with_the_reason(rulebook, tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("jurisdiction: US-NY\ntitle: test overlay\n"
                       "disable:\n  - id: idea.iep.transition-services\n    reason: tested\n",
                       encoding="utf-8")
    layer, problems = parse_layer(overlay.read_bytes(), str(overlay))
    assert layer is not None and not problems
    with_overlay = TestClient(create_app(Settings(), Rulebook((*rulebook.layers, layer))))
    gone = with_overlay.get("/rules/idea.iep.transition-services?jurisdiction=US-NY")
    assert gone.status_code == 404 and "disabled at" in gone.json()["detail"]
    assert "tested" in gone.json()["detail"]
    unknown = with_overlay.get("/rules/no.such.rule")
    assert unknown.status_code == 404
    assert unknown.json()["problems"][0]["location"] == "path.rule_id"


def test_invalid_case_gets_the_cli_problems_and_json_paths(client, tmp_path):
    doc = {"id": "bad-1", "jurisdiction": "US", "student": {"id": 7},
           "ieps": [{"id": "i", "start": "2024-13-01", "end": "2025-01-01", "extra": 1}]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(bad)])
    cli_problems = [line.strip() for line in result.output.splitlines()[1:]]
    response = client.post("/check", json=doc)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [f"{p['location']}: {p['message']}" for p in body["problems"]] == cli_problems
    assert {"$.student.id", "$.ieps[0].start", "$.ieps[0].extra"} <= \
        {p["location"] for p in body["problems"]}


@pytest.mark.parametrize(("body", "location"), [
    (b"{\"id\": ", "line 1 col 8"),
    (b"\xff\xfe{}", "byte 0"),
    (b"[" * 100_000 + b"]" * 100_000, "$"),
    (b"", "line 1 col 1"),
])
def test_malformed_bodies_are_400_with_a_location(client, body, location):
    response = client.post("/check", content=body)
    assert response.status_code == 400
    assert response.json()["problems"][0]["location"] == location


def test_a_json_value_that_is_not_a_case_object_is_422(client):
    response = client.post("/check", json=[1, 2])
    assert response.status_code == 422
    assert response.json()["problems"] == [{"location": "$", "message": "expected an object, got list"}]


@pytest.mark.parametrize("chunked", [False, True])
def test_oversize_bodies_are_413(rulebook, chunked):
    small = TestClient(create_app(Settings(max_case_bytes=1000, max_batch_bytes=2000), rulebook))
    big = b" " * 5000
    content = iter([big[:2500], big[2500:]]) if chunked else big
    response = small.post("/check", content=content)
    assert response.status_code == 413
    assert "larger than the limit of 1000 bytes" in response.json()["problems"][0]["message"]
    assert small.post("/audit", content=big).status_code == 413
    assert small.post("/check", content=_body("compliant-us")[:900]).status_code == 400


@pytest.mark.parametrize(("query", "location"), [
    ("as_of=2026-02-30", "query.as_of"),
    ("as_of=yesterday", "query.as_of"),
    ("jurisdiction=bogus", "query.jurisdiction"),
    ("jurisdiction=US-ZZ", "query.jurisdiction"),
    ("jurisdiction=US-NY-BUF", "query.jurisdiction"),
    ("backend=rete", "query.backend"),
])
def test_bad_parameters_are_422_naming_the_parameter(client, query, location):
    response = client.post(f"/check?{query}", content=_body("compliant-us"))
    assert response.status_code == 422
    assert response.json()["problems"][0]["location"] == location


def test_a_backend_whose_extra_is_missing_is_422_naming_the_extra(client, monkeypatch):
    monkeypatch.setattr(library, "available_backends", lambda: ("python",))
    for path in ("/check", "/audit"):
        response = client.post(f"{path}?backend=durable", content=_body("compliant-us"))
        assert response.status_code == 422, path
        assert "iep-rules[durable]" in response.json()["problems"][0]["message"]


def test_a_case_jurisdiction_without_rules_is_an_error_not_a_silent_pass(client):
    doc = json.loads(_body("compliant-us"))
    doc["jurisdiction"] = "US-NY-BUF"  # a district without a layer: no rules apply
    response = client.post("/check", json=doc)
    assert response.status_code == 422
    assert response.json()["problems"][0]["location"] == "$.jurisdiction"
    assert "known codes are" in response.json()["problems"][0]["message"]
    assert client.post("/check?jurisdiction=US", json=doc).status_code == 200


def test_a_state_without_a_layer_answers_what_the_command_line_answers(client, tmp_path):
    """US-CA has no layer: the library runs the federal rules and says so in the notes; the
    service gives the same report, byte for byte, instead of refusing the case."""
    doc = json.loads(_body("compliant-us"))
    doc["jurisdiction"] = "US-CA"
    path = tmp_path / "ca.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    cli_out = CliRunner().invoke(cli, ["check", str(path), "--as-of", AS_OF,
                                       "--format", "json"]).output
    response = client.post(f"/check?as_of={AS_OF}", content=path.read_bytes())
    assert response.status_code == 200
    assert response.text == cli_out
    assert "federal rules only" in " ".join(response.json()["notes"])


@pytest.mark.parametrize("code", ["US", "US-NY", "US-NY-NYC", "US-CA", "us", "US-N", "USA",
                                  "US-NY-x", "US-NY-NYC-Q", "US-NY-ABCDEFGHI"])
def test_jurisdiction_pattern_is_the_case_records_own(code):
    doc = json.loads(_body("compliant-us"))
    doc["jurisdiction"] = code
    try:
        load_case(doc)
        loads = True
    except CaseError:
        loads = False
    assert loads == bool(re.fullmatch(JURISDICTION_PATTERN, code))


def test_health_version_and_openapi(client):
    assert client.get("/health").json() == {"status": "ok"}
    version = client.get("/version").json()
    assert version["jurisdictions"]["US-NY-NYC"] >= version["jurisdictions"]["US"] > 0
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert {"/check", "/audit", "/ledger", "/rules", "/rules/{rule_id}", "/schemas/case",
            "/schemas/rules", "/health", "/version"} <= set(doc["paths"])
    body = doc["paths"]["/check"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Case"}


def test_openapi_backend_choices_are_the_library_backends(client):
    doc = client.get("/openapi.json").json()
    [backend] = [p for p in doc["paths"]["/check"]["post"]["parameters"] if p["name"] == "backend"]
    assert set(backend["schema"]["enum"]) == set(BACKENDS)


def test_openapi_case_schema_is_the_cli_case_schema(client):
    components = client.get("/openapi.json").json()["components"]["schemas"]
    defs = json.loads(json.dumps(library.case_schema()["$defs"]).replace(
        '"#/$defs/', '"#/components/schemas/'))
    for name, schema in defs.items():
        assert components[name] == schema, name


def test_auth_on_requires_the_key_except_for_health(rulebook):
    secured = TestClient(create_app(Settings(api_key=KEY), rulebook))
    assert secured.get("/health").status_code == 200
    for headers in ({}, {"Authorization": "Bearer wrong-key-wrong-key"},
                    {"Authorization": f"Basic {KEY}"}, {"Authorization": f"Bearer {KEY}x"}):
        response = secured.post("/check", content=_body("compliant-us"), headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
    ok = secured.post("/check", content=_body("compliant-us"),
                      headers={"Authorization": f"Bearer {KEY}"})
    assert ok.status_code == 200
    assert secured.get("/rules", headers={"Authorization": b"Bearer \xe9"}).status_code == 401
    doc = secured.get("/openapi.json", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert "HTTPBearer" in doc["components"]["securitySchemes"]


def test_auth_off_needs_no_header(client):
    assert client.post("/check", content=_body("compliant-us")).status_code == 200


def test_api_key_from_file_or_environment(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    assert read_api_key({ENV_API_KEY_FILE: str(key_file)}) == KEY
    assert read_api_key({ENV_API_KEY: KEY}) == KEY
    assert read_api_key({}) is None
    assert settings_from_env({ENV_API_KEY: KEY}).auth_enabled
    with pytest.raises(SettingsError, match="at least 16"):
        read_api_key({ENV_API_KEY: "short"})
    with pytest.raises(SettingsError, match="cannot read"):
        read_api_key({ENV_API_KEY_FILE: str(tmp_path / "missing")})
    with pytest.raises(SettingsError, match=ENV_TIME_LIMIT):
        settings_from_env({ENV_TIME_LIMIT: "-1"})
    assert KEY not in repr(Settings(api_key=KEY))
    paths = os.pathsep.join(["district/a.yaml", "district/b"])
    assert settings_from_env({ENV_RULES: paths}).extra_rules == ("district/a.yaml", "district/b")


def test_serve_refuses_a_bad_setting_before_binding(monkeypatch):
    monkeypatch.setenv(ENV_API_KEY, "short")
    result = CliRunner().invoke(cli, ["serve", "--port", "8799"])
    assert result.exit_code == 1 and "at least 16 characters" in result.output


def test_loopback_detection():
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "example.org", "::"]))


def test_time_limit_answers_503(rulebook):
    hurried = TestClient(create_app(Settings(time_limit=1e-9, batch_time_limit=1e-9), rulebook))
    response = hurried.post("/check", content=_body("ny-grade9"))
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    rows = hurried.post("/audit", content=Path(SAMPLE).read_bytes()).text.splitlines()
    assert json.loads(rows[-1])["type"] in ("abort",)


def test_an_unexpected_failure_is_a_500_that_logs_no_case_data(rulebook, monkeypatch, caplog):
    app = create_app(Settings(), rulebook)
    client = TestClient(app, raise_server_exceptions=False)

    def explode(*_args, **_kwargs):
        raise RuntimeError("example-ny-0001 student-7f3a")

    monkeypatch.setattr(library, "check_json", explode)
    monkeypatch.setattr(library, "audit_line", explode)
    with caplog.at_level(logging.INFO, logger="iep_rules.service"):
        response = client.post("/check", content=_body("ny-grade9"))
        rows = client.post("/audit", content=Path(SAMPLE).read_bytes()).text.splitlines()
    assert response.status_code == 500 and response.json()["title"] == "Internal error"
    summary = json.loads(rows[-1])
    assert summary["reconciled"] and summary["errors"] == 6
    assert "RuntimeError" in caplog.text
    assert "example-ny-0001" not in caplog.text and "student-7f3a" not in caplog.text
    monkeypatch.undo()
    assert client.post("/check", content=_body("compliant-us")).status_code == 200


def test_unknown_paths_and_methods_are_problem_json(client):
    assert client.get("/nope").json()["status"] == 404
    assert client.get("/check").json()["status"] == 405


def test_service_imports_library_internals_in_one_module_only():
    internal = re.compile(r"^from \.\.(\w+)", re.MULTILINE)
    folder = Path(service_app.__file__).parent
    users = {path.name for path in folder.glob("*.py") if internal.search(path.read_text())}
    assert users == {"_library.py"}


def test_serve_connections_get_tcp_nodelay(monkeypatch):
    """uvicorn's --workers socket misses TCP_NODELAY (a 40 ms stall per response); the
    protocol `serve` uses sets it on every connection."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from iep_rules.service._uvicorn import NoDelayH11Protocol

    monkeypatch.setattr(H11Protocol, "connection_made", lambda self, transport: None)

    class Transport:
        def __init__(self, sock):
            self.sock = sock

        def get_extra_info(self, name):
            return self.sock if name == "socket" else None

    with socket.create_server(("127.0.0.1", 0)) as server, \
            socket.create_connection(server.getsockname()):
        conn, _ = server.accept()
        with conn:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            NoDelayH11Protocol.__new__(NoDelayH11Protocol).connection_made(Transport(conn))
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


@pytest.mark.slow  # two interpreter start-ups
def test_the_cli_works_without_the_service_extra():
    """Without FastAPI and uvicorn, every other command runs and `serve` says what to install."""
    blocked = "import sys; sys.modules['fastapi'] = sys.modules['uvicorn'] = None; " \
              "from iep_rules.cli import main; main()"
    schema = subprocess.run([sys.executable, "-c", blocked, "schema", "case"],
                            capture_output=True, text=True, timeout=120)
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]
    serve = subprocess.run([sys.executable, "-c", blocked, "serve"],
                           capture_output=True, text=True, timeout=120)
    assert serve.returncode == 1 and "pip install 'iep-rules[service]'" in serve.stderr
