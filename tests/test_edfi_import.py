"""Ed-Fi import over small fixtures cut from the published Grand Bend samples (Apache-2.0).

Each quirk listed in the sample README ("Known quirks") has a test here; the whole-sample
counts are in test_edfi_samples.py (slow).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from iep_rules import case_from_mapping
from iep_rules.facts._timeline import Timeline
from iep_rules.importers.edfi import EdfiInputError, ImportedCase, import_edfi, load_mapping
from iep_rules.importers.edfi._gaps import reclassify
from iep_rules.importers.edfi._xml import read_xml

FIX = Path(__file__).parent / "fixtures" / "edfi"
FILES_52 = [FIX / n for n in ("program-5.2.xml", "students-5.2.xml", "staff-5.2.xml",
                              "attendance-5.2.xml", "calendar-5.2.xml")]


def run_import(*paths: Path, overlays: tuple[Path, ...] = ()) -> tuple[dict[str, ImportedCase],
                                                                      dict[str, Any]]:
    run = import_edfi(paths, load_mapping(*overlays))
    cases = {c.document["id"]: c for c in run.cases()}
    return cases, run.summary()


def rules_of(case: ImportedCase) -> Counter[str]:
    return Counter(q["rule_id"] for q in case.quality)


@pytest.fixture(scope="module")
def five_two() -> tuple[dict[str, ImportedCase], dict[str, Any]]:
    return run_import(*FILES_52)


@pytest.fixture(scope="module")
def six_one() -> tuple[dict[str, ImportedCase], dict[str, Any]]:
    return run_import(FIX / "sped-6.1.xml")


# --- reading ---------------------------------------------------------------------------------

def test_xml_record_location_is_the_line_of_its_start_tag() -> None:
    lines = (FIX / "sped-6.1.xml").read_text(encoding="utf-8").splitlines()
    for rec in read_xml(FIX / "sped-6.1.xml", lambda k: True, Counter()):
        _file, _, line = rec.at().rpartition(":")
        assert lines[int(line) - 1].strip() == f"<{rec.kind}>"
        disability = rec.at("Disability[1].Disability") if rec.kind == "StudentIEP" else None
        if disability and "Disability" in rec.data and len(rec.data["Disability"]) > 1:
            assert "<Disability>uri://" in lines[int(disability.rpartition(":")[2]) - 1]


def test_xml_and_json_resources_build_the_same_cases() -> None:
    from_xml, _ = run_import(FIX / "sped-6.1.xml")
    from_json, _ = run_import(FIX / "sped-6.1.records.json")
    assert {k: c.document for k, c in from_xml.items()} == \
        {k: c.document for k, c in from_json.items()}
    some = next(iter(from_json.values()))
    assert " $.StudentIEP[" in some.where or " $." in some.where


def test_unwanted_kinds_are_counted_but_not_built() -> None:
    seen: Counter[str] = Counter()
    assert list(read_xml(FIX / "students-5.2.xml", lambda k: False, seen)) == []
    assert seen["Student"] == 5


# --- Data Standard 5.2 --------------------------------------------------------------------

def test_only_special_education_students_become_cases(five_two: Any) -> None:
    cases, summary = five_two
    assert sorted(cases) == ["edfi-604872", "edfi-604920", "edfi-605146", "edfi-605238",
                             "edfi-605569"]  # 604821 has a Student record and attendance only
    assert summary["cases_built"] == 5
    assert summary["records_read"]["Student"] == 5


def test_every_built_case_is_a_valid_case_document(five_two: Any, six_one: Any) -> None:
    for cases in (five_two[0], six_one[0]):
        for case in cases.values():
            assert case_from_mapping(case.document).id == case.document["id"]


def test_5_2_facts_map_and_unknowns_stay_absent(five_two: Any) -> None:
    doc = five_two[0]["edfi-604872"].document
    assert doc["student"] == {"id": "604872", "date_of_birth": "2012-04-16"}
    assert doc["ieps"] == [{"id": "sped-2021-08-30", "meeting_date": "2021-08-27",
                            "start": "2021-09-01"}]
    assert doc["placements"] == [{"date": "2021-08-27",
                                  "setting": "regular_class_less_than_40_percent"}]
    # Ed-Fi 5.2 has no consents, evaluations with a kind, eligibility outcome, goals, sessions
    # or calendar: absent, never empty lists that a rule would read as "none".
    for absent in ("consents", "evaluations", "eligibility", "sessions", "calendars"):
        assert absent not in doc
    assert "goals" not in doc["ieps"][0] and "services" not in doc["ieps"][0]


def test_unmapped_values_are_reported_with_file_line_and_reason(five_two: Any) -> None:
    cases, summary = five_two
    early = [u for u in cases["edfi-604920"].unmapped if u.table == "service"]
    assert len(early) == 1
    assert early[0].value.endswith("#Early Identification And Evaluation")
    line = int(early[0].where.rpartition(":")[2])
    text = (FIX / "program-5.2.xml").read_text(encoding="utf-8").splitlines()[line - 1]
    assert "Early Identification And Evaluation" in text
    exits = [u for u in cases["edfi-604872"].unmapped if u.table == "exit_reason"]
    assert [u.value.rpartition("#")[2] for u in exits] == ["Transferred out"]
    assert "left the district" in exits[0].reason and exits[0].where.endswith(":39")
    disability = [u for u in cases["edfi-604872"].unmapped if u.table == "disability"]
    assert disability and "eligibility" in disability[0].reason
    assert summary["coverage"]["disability"]["mapped"] == {
        "uri://ed-fi.org/DisabilityDescriptor#Autism Spectrum Disorders": 1,  # 604872
        "uri://ed-fi.org/DisabilityDescriptor#Deaf-Blindness": 1}  # 605569


def test_fields_read_but_not_imported_are_counted(five_two: Any) -> None:
    fields = five_two[1]["fields_not_imported"]
    assert fields["Student.Name"] == 4  # kept Student records of SpEd students; names never go in
    assert fields["StudentSpecialEducationProgramAssociation.ProgramReference"] == 5
    assert "StudentSpecialEducationProgramAssociation.IEPBeginDate" not in fields
    assert all(doc_key not in json.dumps([c.document for c in five_two[0].values()])
               for doc_key in ("FirstName", "LastSurname"))


def test_quirk_review_date_before_begin_date(five_two: Any) -> None:
    for case in five_two[0].values():
        assert rules_of(case)["edfi.dq.review-before-begin"] == 1


def test_quirk_special_education_hours_above_school_hours(five_two: Any) -> None:
    entries = [q for q in five_two[0]["edfi-604872"].quality
               if q["rule_id"] == "edfi.dq.hours-exceed-school-hours"]
    assert len(entries) == 1 and "25 is more than SchoolHoursPerWeek 10" in entries[0]["message"]


def test_missing_student_record_is_a_quality_entry(five_two: Any) -> None:
    cases = five_two[0]
    assert "date_of_birth" not in cases["edfi-605238"].document["student"]
    assert rules_of(cases["edfi-605238"])["edfi.dq.unresolved-reference"] == 1
    assert rules_of(cases["edfi-604872"])["edfi.dq.unresolved-reference"] == 0


def test_quirk_no_usable_calendar_is_not_imported(five_two: Any) -> None:
    cases, summary = five_two
    assert summary["records_read"]["CalendarDate"] == 2
    assert all("calendars" not in c.document for c in cases.values())


def test_absences_are_reported_not_placed(five_two: Any) -> None:
    absences = [u for u in five_two[0]["edfi-605569"].unmapped if u.table == "attendance"]
    assert absences and all(u.value.endswith("Absence") for u in absences)
    assert all("no absence list" in u.reason for u in absences)


def test_quirk_two_students_in_both_parts_merge_into_one_case() -> None:
    cases, _ = run_import(FIX / "program-5.2.xml", FIX / "sped-6.1.xml")
    ieps = [i["id"] for i in cases["edfi-605146"].document["ieps"]]
    assert ieps == ["sped-2021-08-30", "IEP-018"]


# --- Data Standard 6.1 special-education model ---------------------------------------------

def test_6_1_iep_services_goals_sessions(six_one: Any) -> None:
    doc = six_one[0]["edfi-604822"].document
    iep = doc["ieps"][0]
    assert (iep["id"], iep["meeting_date"], iep["start"], iep["end"]) == \
        ("IEP-002", "2024-02-21", "2024-02-28", "2024-08-31")
    assert iep["services"] == [{"id": "IEP-002-speech_language_instruction",
                                "name": "speech_language_instruction",
                                "type": "special_education", "start": "2024-02-28",
                                "end": "2024-08-31", "location": "therapy room (small group)"}]
    assert iep["goals"] == [{"area": "functional"}]
    assert doc["sessions"] == [{"date": "2024-03-20",
                                "service": "IEP-002-speech_language_instruction",
                                "status": "delivered"}]


def test_fractional_frequency_and_weekly_duration_are_not_guessed(six_one: Any) -> None:
    case = six_one[0]["edfi-604822"]
    service = case.document["ieps"][0]["services"][0]
    assert "frequency" not in service and "duration_minutes" not in service
    reasons = {u.table: u.reason for u in case.unmapped}
    assert "fractional" in reasons["frequency"]
    assert "not per session" in reasons["duration_interval"]


def test_consent_events_leave_written_unknown(six_one: Any) -> None:
    consents = six_one[0]["edfi-604854"].document["consents"]
    assert consents == [{"kind": "initial_evaluation", "date": "2024-01-15",
                         "response": "given"}]


def test_quirk_event_references_that_do_not_resolve(six_one: Any) -> None:
    messages = [q["message"] for q in six_one[0]["edfi-604822"].quality
                if q["rule_id"] == "edfi.dq.unresolved-reference"]
    # IEP-002 (student 604822) points at EVT-003, which is an event of student 604823.
    assert any("EVT-003" in m and "604822" in m for m in messages)
    resolved = [q for q in six_one[0]["edfi-604854"].quality
                if "EVT-001" in q["message"]]
    assert resolved == []  # IEP-001 -> EVT-001 of the same student resolves


def test_quirk_delivery_names_another_service(six_one: Any) -> None:
    entries = [q for q in six_one[0]["edfi-604901"].quality
               if q["rule_id"] == "edfi.dq.delivery-service-mismatch"]
    assert len(entries) == 1
    assert "#Day" in entries[0]["message"] and "Social/Emotional" in entries[0]["message"]


def test_quirk_active_iep_with_exit_reason(six_one: Any) -> None:
    assert rules_of(six_one[0]["edfi-604854"])["edfi.dq.active-iep-with-exit"] == 1
    assert rules_of(six_one[0]["edfi-604822"])["edfi.dq.active-iep-with-exit"] == 0  # Inactive


def test_quirk_equal_hours_contradict_a_regular_class_setting(six_one: Any) -> None:
    # IEP-021 (605225): every school hour is special education, yet "Inside regular class
    # less than 40% of the day"; IEP-010 (604901) has equal hours in a residential facility.
    entries = [q for q in six_one[0]["edfi-605225"].quality
               if q["rule_id"] == "edfi.dq.hours-contradict-setting"]
    assert len(entries) == 1
    line = int(entries[0]["where"].rpartition(":")[2])
    text = (FIX / "sped-6.1.xml").read_text(encoding="utf-8").splitlines()[line - 1]
    assert "Inside regular class less than 40% of the day" in text
    assert rules_of(six_one[0]["edfi-604901"])["edfi.dq.hours-contradict-setting"] == 0


def test_quirk_same_provider_listed_twice(six_one: Any) -> None:
    assert rules_of(six_one[0]["edfi-604854"])["edfi.dq.duplicate-provider"] == 1


def test_quirk_iep_periods_shorter_than_a_year_are_kept_as_given(six_one: Any) -> None:
    for case in six_one[0].values():
        for iep in case.document["ieps"]:
            assert iep["start"] < iep["end"]  # 180-200 days in the sample; taken verbatim


def test_quirk_0627b6d_iep_references_carry_the_wrong_finalized_date() -> None:
    cases, _ = run_import(FIX / "sped-6.1-0627b6d.xml")
    case = cases["edfi-604854"]
    unresolved = [q for q in case.quality if q["rule_id"] == "edfi.dq.unresolved-reference"
                  and "StudentIEPReference" in q["message"]]
    assert {q["record"] for q in unresolved} == {"StudentIEPServicePrescription",
                                                 "StudentIEPServiceDelivery",
                                                 "StudentIEPGoal"}
    assert all("exists with IEPFinalizedDate 2024-01-10" in q["message"] for q in unresolved)
    iep = case.document["ieps"][0]
    assert "services" not in iep and "goals" not in iep and "sessions" not in case.document


def test_quirk_old_event_spelling_and_renamed_namespace() -> None:
    cases, _ = run_import(FIX / "events-renamed-6.1.xml")
    case = cases["edfi-900100"]
    # IDEAEventTypeDescriptor (released 6.1.0 name) maps out of the box ...
    assert case.document["consents"] == [{"kind": "initial_services", "date": "2024-03-01",
                                          "response": "given"}]
    # ... the older "...Give" spelling and a district namespace are reported, located.
    missing = {u.value.rpartition("#")[2]: u for u in case.unmapped if u.table == "idea_event"}
    assert set(missing) == {"Parental Consent for Evaluation Give", "Annual IEP Meeting Held"}
    assert all(u.reason == "no mapping entry" for u in missing.values())
    assert missing["Annual IEP Meeting Held"].where.endswith("events-renamed-6.1.xml:24")  # the <IDEAEvent> value line
    # An evaluation whose EventCompliance names no kind is not placed, and says why.
    assert "evaluations" not in case.document
    assert any(u.table == "evaluation_kind" for u in case.unmapped)
    assert rules_of(case)["edfi.dq.dates-out-of-order"] == 1  # EVT-C ends before it begins


def test_overlay_maps_a_district_namespace() -> None:
    cases, summary = run_import(FIX / "events-renamed-6.1.xml",
                                overlays=(FIX / "district-overlay.yaml",))
    doc = cases["edfi-900100"].document
    assert {c["kind"] for c in doc["consents"]} == {"initial_evaluation", "initial_services"}
    assert doc["meetings"] == [{"date": "2024-02-20", "purpose": "annual_review"}]
    assert summary["mapping_sources"][-1].endswith("district-overlay.yaml")


def test_bad_overlay_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tables:\n  nonsense: {entries: {}}\n  disability:\n    entries:\n"
                   "      no-hash-here: autism\n      'uri://x/D#A': [1, 2]\n", encoding="utf-8")
    with pytest.raises(EdfiInputError) as err:
        load_mapping(bad)
    text = err.value.format_message()
    assert "unknown table" in text and "namespace#CodeValue" in text and "{unmapped" in text


def test_every_builtin_mapping_value_is_valid_case_vocabulary() -> None:
    tables = load_mapping().tables

    def values(name: str) -> list[Any]:
        return [v for v in tables[name].values() if not (isinstance(v, dict) and "unmapped" in v)]

    services = [{"id": f"s{i}", "name": v["name"], "type": v["type"], "location": loc}
                for i, (v, loc) in enumerate(zip(values("service"),
                                                 values("location") * 4, strict=False))]
    events = values("idea_event")
    doc = {
        "id": "vocab", "jurisdiction": "US", "student": {"id": "s"},
        "eligibility": [{"date": "2024-01-01", "outcome": "eligible", "classification": c}
                        for c in values("disability")],
        "placements": [{"date": "2024-01-01", "setting": v["placement"]}
                       for v in values("setting")],
        "consents": [{"date": "2024-01-01", **e["consent"]} for e in events if "consent" in e],
        "meetings": [{"date": "2024-01-01", **e["meeting"]} for e in events if "meeting" in e],
        "evaluations": [{"kind": k, "completed": "2024-01-01"}
                        for k in values("evaluation_kind")],
        "ieps": [{"id": "i", "services": services,
                  "goals": [{"area": a} for a in values("goal_area")]},
                 {"id": "j", "services": [{"id": f"f{u}", "name": "x", "frequency":
                                           {"times": 1, "per": u}}
                                          for u in values("frequency_interval")]}],
    }
    case = case_from_mapping(doc)
    assert len(case.eligibility) == len(values("disability"))
    assert set(values("duration_interval")) == {"per_session"}
    assert set(values("attendance")) == {"student_absence", "not_absent"}
    assert set(values("staff_leave")) == {"provider_absence"}


# --- import gaps -----------------------------------------------------------------------------

def _result(evidence: list[dict[str, Any]], severity: str = "violation") -> dict[str, Any]:
    return {"type": "result", "findings": [{"rule_id": "r", "severity": severity,
                                            "message": "m", "evidence": evidence}],
            "summary": {}}


def test_finding_resting_on_an_absent_fact_becomes_needs_data() -> None:
    result = reclassify(_result([{"fact": "assessment", "path": "$.ieps[0].assessment",
                                  "value": None}]), {})
    finding = result["findings"][0]
    assert finding["severity"] == "needs-data"
    assert finding["import_gap"]["was"] == "violation"
    assert finding["missing"] == ["$.ieps[0].assessment"]
    assert result["summary"] == {"violation": 0, "warning": 0, "notice": 0, "needs-data": 1}


def test_finding_on_a_declared_gap_fact_becomes_needs_data_even_with_a_value() -> None:
    gaps = load_mapping().gaps
    result = reclassify(_result([{"fact": "case.reevaluation_waiver_on_file", "path": None,
                                  "value": False}]), gaps)
    assert result["findings"][0]["severity"] == "needs-data"


def test_finding_on_recorded_facts_keeps_its_severity() -> None:
    result = reclassify(_result([{"fact": "end", "path": "$.ieps[0].end",
                                  "value": "2024-06-01"}], "warning"), {})
    assert result["findings"][0]["severity"] == "warning"
    assert "import_gap" not in result["findings"][0]
    assert result["summary"]["warning"] == 1


def test_json_fixture_is_the_records_json_shape() -> None:
    data = json.loads((FIX / "sped-6.1.records.json").read_text(encoding="utf-8"))
    assert set(data) == {"IDEAEvent", "StudentIEP", "StudentIEPServicePrescription",
                         "StudentIEPServiceDelivery", "StudentIEPGoal"}


def test_json_ids_sent_as_numbers_are_read(tmp_path: Path) -> None:
    data = json.loads((FIX / "sped-6.1.records.json").read_text(encoding="utf-8"))
    for rec in data["StudentIEP"]:
        rec["StudentUniqueId"] = int(rec["StudentUniqueId"])
        rec["EducationOrganizationId"] = int(rec["EducationOrganizationId"])
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps({"StudentIEP": data["StudentIEP"]}), encoding="utf-8")
    cases, _ = run_import(path)
    assert cases["edfi-604822"].document["ieps"][0]["id"] == "IEP-002"


def test_a_run_reads_its_files_once() -> None:
    run = import_edfi([FIX / "program-5.2.xml"], load_mapping())
    assert len(list(run.cases())) == 5
    with pytest.raises(RuntimeError):
        list(run.cases())


@pytest.fixture(scope="module")
def invented() -> ImportedCase:
    cases, _ = run_import(FIX / "invented-checks-6.1.xml", FIX / "invented-absences-5.2.xml")
    return cases["edfi-900200"]


def test_whole_frequency_and_per_session_duration_map(invented: ImportedCase) -> None:
    (service,) = invented.document["ieps"][0]["services"]
    assert service["frequency"] == {"times": 2, "per": "week"}
    assert service["duration_minutes"] == 30
    assert [s["date"] for s in invented.document["sessions"]] == ["2024-02-12", "2024-03-15"]


def test_an_iep_end_before_its_begin_is_dropped_and_reported(invented: ImportedCase) -> None:
    iep = invented.document["ieps"][0]
    assert iep["start"] == "2024-02-01" and "end" not in iep
    messages = [q["message"] for q in invented.quality]
    assert "IEPEndDate 2023-08-01 is before IEPBeginDate 2024-02-01" in messages
    assert any("IEPAmendedDate '2024-02-30' is not a date" in m for m in messages)


def test_deliveries_are_checked_against_absences_leave_and_the_prescription(
        invented: ImportedCase) -> None:
    rules = rules_of(invented)
    assert rules["edfi.dq.delivered-while-absent"] == 1
    assert rules["edfi.dq.delivered-while-provider-on-leave"] == 1
    assert rules["edfi.dq.delivery-outside-prescription"] == 1
    leave = [q for q in invented.quality
             if q["rule_id"] == "edfi.dq.delivered-while-provider-on-leave"]
    assert "invented-absences-5.2.xml:12" in leave[0]["message"]


def test_an_amount_beyond_the_case_limits_is_dropped_not_the_case(tmp_path: Path) -> None:
    text = (FIX / "invented-checks-6.1.xml").read_text(encoding="utf-8")
    path = tmp_path / "huge.xml"
    path.write_text(text.replace("<Duration>30</Duration>", "<Duration>5000</Duration>"),
                    encoding="utf-8")
    cases, _ = run_import(path)
    case = cases["edfi-900200"]
    (service,) = case.document["ieps"][0]["services"]
    assert "duration_minutes" not in service and "frequency" not in service
    assert case_from_mapping(case.document)
    (limit,) = [u for u in case.unmapped if u.table == "amount"]
    assert limit.value == "2 x 5000" and "limits" in limit.reason


def test_discipline_action_becomes_a_removal_with_only_what_ed_fi_says() -> None:
    cases, summary = run_import(FIX / "program-discipline-5.2.xml", FIX / "discipline-5.2.xml")
    assert list(cases) == ["edfi-605370"]  # 605266's action has no special-education record
    removals = cases["edfi-605370"].document["removals"]
    # A one-school-day in-school suspension: start and end are the DisciplineDate; services
    # during it and any manifestation review stay unknown.
    assert removals == [{"start": "2022-02-02", "end": "2022-02-02",
                         "kind": "in_school_suspension"}]
    assert summary["fields_not_imported"]["DisciplineAction.IEPPlacementMeetingIndicator"] == 1


def test_a_longer_removal_has_no_end_without_a_calendar(tmp_path: Path) -> None:
    text = (FIX / "discipline-5.2.xml").read_text(encoding="utf-8")
    path = tmp_path / "long.xml"
    path.write_text(text.replace("<ActualDisciplineActionLength>1<",
                                 "<ActualDisciplineActionLength>4<"), encoding="utf-8")
    cases, _ = run_import(FIX / "program-discipline-5.2.xml", path)
    case = cases["edfi-605370"]
    assert case.document["removals"] == [{"start": "2022-02-02", "kind": "in_school_suspension"}]
    assert any(u.value == "4 school days" and "calendar" in u.reason for u in case.unmapped)


# --- exits -------------------------------------------------------------------------------------

def test_clear_exit_reasons_become_dated_exits(five_two: Any) -> None:
    cases, _ = five_two
    assert cases["edfi-605146"].document["exits"] == [
        {"date": "2021-10-01", "reason": "not_eligible"}]  # SpecialEducationExitDate
    assert cases["edfi-605238"].document["exits"] == [
        {"date": "2021-12-17", "reason": "moved_out"}]  # ReasonExited, dated by EndDate
    assert "exits" not in cases["edfi-604872"].document  # Transferred out: unmapped
    assert "exits" not in cases["edfi-604920"].document  # no exit recorded: unknown
    for case in cases.values():
        case_from_mapping(case.document)


def test_an_exit_stops_the_clocks_in_the_case_timeline(five_two: Any) -> None:

    case = case_from_mapping(five_two[0]["edfi-605146"].document)
    timeline = Timeline(case, dt.date(2022, 6, 30))
    assert timeline.current_stop is not None and timeline.in_special_education is False


def _association(tmp_path: Path, fields: str) -> Path:
    text = (FIX / "program-5.2.xml").read_text(encoding="utf-8")
    start = text.index("<StudentSpecialEducationProgramAssociation>")
    end = text.index("</StudentSpecialEducationProgramAssociation>") + len(
        "</StudentSpecialEducationProgramAssociation>")
    record = text[start:end].replace("</StudentSpecialEducationProgramAssociation>",
                                     fields + "</StudentSpecialEducationProgramAssociation>")
    for tag in ("SpecialEducationExitDate", "SpecialEducationExitReason",
                "SpecialEducationExitExplained"):
        record = re.sub(f"<{tag}>[^<]*</{tag}>", "", record, count=1)
    path = tmp_path / "one.xml"
    path.write_text(text[:start] + record + text[text.index("</Interchange"):],
                    encoding="utf-8")
    return path


EXIT = "uri://ed-fi.org/SpecialEducationExitReasonDescriptor#"
REASON = "uri://ed-fi.org/ReasonExitedDescriptor#"


@pytest.mark.parametrize(("fields", "placed", "why"), [
    (f"<SpecialEducationExitDate>2021-10-01</SpecialEducationExitDate><SpecialEducationExit"
     f"Reason>{EXIT}Graduated with Diploma</SpecialEducationExitReason>",
     [{"date": "2021-10-01", "reason": "graduated_regular_diploma"}], None),
    (f"<SpecialEducationExitReason>{EXIT}Graduated with Diploma</SpecialEducationExitReason>",
     None, "no valid SpecialEducationExitDate"),
    (f"<SpecialEducationExitDate>2021-01-01</SpecialEducationExitDate><SpecialEducationExit"
     f"Reason>{EXIT}Reached the age limit</SpecialEducationExitReason>",
     None, "before BeginDate"),
    (f"<EndDate>2021-12-17</EndDate><ReasonExited>{REASON}Moved out of state</ReasonExited>"
     f"<SpecialEducationExitDate>2021-10-01</SpecialEducationExitDate><SpecialEducationExit"
     f"Reason>{EXIT}Graduated with Diploma</SpecialEducationExitReason>",
     None, "different exits"),
    (f"<EndDate>2021-12-17</EndDate><ReasonExited>{REASON}Graduated with a high school diploma"
     f"</ReasonExited><SpecialEducationExitDate>2021-12-17</SpecialEducationExitDate>"
     f"<SpecialEducationExitReason>{EXIT}Graduated with Diploma</SpecialEducationExitReason>",
     [{"date": "2021-12-17", "reason": "graduated_regular_diploma"}], None),
    (f"<SpecialEducationExitDate>2021-10-01</SpecialEducationExitDate><SpecialEducationExit"
     f"Reason>{EXIT}Graduated with Certificate</SpecialEducationExitReason>",
     None, "300.102(a)(3)(ii)"),
])
def test_an_exit_is_placed_only_when_its_meaning_and_date_are_clear(
        tmp_path: Path, fields: str, placed: Any, why: str | None) -> None:
    (case,) = import_edfi([_association(tmp_path, fields)], load_mapping()).cases()
    assert case.document.get("exits") == placed
    if why is not None:
        notes = [u for u in case.unmapped if u.table == "exit_reason"]
        assert notes and all(why in u.reason for u in notes)


def test_a_6_1_exit_reason_without_a_date_is_not_placed(six_one: Any) -> None:
    cases, _ = six_one
    assert not any("exits" in c.document for c in cases.values())
    undated = [u for c in cases.values() for u in c.unmapped
               if u.table == "exit_reason" and "no exit date" in u.reason]
    assert undated
