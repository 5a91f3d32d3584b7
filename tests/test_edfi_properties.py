"""Property: whatever the Ed-Fi records hold, the import never raises and every case it builds
is a valid case document; counts in (students) equal cases out."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iep_rules import case_from_mapping
from iep_rules.importers.edfi import import_edfi, load_mapping

MAPPING = load_mapping()
URIS = sorted({uri for table in MAPPING.tables.values() for uri in table})
SCALARS = st.one_of(
    st.sampled_from(["2024-01-15", "2024-13-45", "2023-12-31", "", " ", "abc", "0", "-5", "2.5",
                     "3", "1e3", "true"]),
    st.sampled_from(URIS), st.text(max_size=8))
IEP_REF = st.fixed_dictionaries({
    "StudentUniqueId": st.sampled_from(["1", "2"]),
    "StudentIEPIdentifier": st.sampled_from(["IEP-1", "IEP-2"]),
    "IEPFinalizedDate": st.sampled_from(["2024-01-10", "2024-01-11"])})


def records(fields: list[str], extra: dict[str, st.SearchStrategy[object]] | None = None
            ) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({"StudentUniqueId": st.sampled_from(["1", "2", " "])},
                                 optional={**{f: SCALARS for f in fields}, **(extra or {})})


DATES = ["BeginDate", "EndDate", "IEPBeginDate", "IEPEndDate", "IEPReviewDate",
         "IEPFinalizedDate", "ServiceDeliveryDate", "ServicePrescriptionDate"]
DOCUMENT = st.fixed_dictionaries({
    "StudentSpecialEducationProgramAssociation": st.lists(records(
        [*DATES, "SpecialEducationSetting", "SpecialEducationHoursPerWeek",
         "SchoolHoursPerWeek", "ReasonExited", "SpecialEducationExitReason"],
        {"Disability": st.lists(st.fixed_dictionaries({"Disability": SCALARS}), max_size=2),
         "SpecialEducationProgramService": st.lists(st.fixed_dictionaries(
             {"SpecialEducationProgramService": SCALARS}), max_size=2)}), max_size=3),
    "StudentIEP": st.lists(records(
        [*DATES, "StudentIEPIdentifier", "IEPStatus", "SpecialEducationSetting"],
        {"StudentIEPIdentifier": st.sampled_from(["IEP-1", "IEP-2"]),
         "IEPFinalizedDate": st.sampled_from(["2024-01-10", "2024-01-11"])}), max_size=3),
    "StudentIEPServicePrescription": st.lists(st.fixed_dictionaries(
        {"StudentIEPReference": IEP_REF},
        optional={f: SCALARS for f in ["ServicePrescription", "ServicePrescriptionDate",
                                       "BeginDate", "EndDate", "Frequency", "FrequencyInterval",
                                       "Duration", "DurationInterval",
                                       "ServiceLocationType"]}), max_size=3),
    "StudentIEPServiceDelivery": st.lists(st.fixed_dictionaries(
        {"StudentIEPReference": IEP_REF},
        optional={"ServiceDelivery": SCALARS, "ServiceDeliveryDate": SCALARS}), max_size=3),
    "StudentIEPGoal": st.lists(st.fixed_dictionaries(
        {"StudentIEPReference": IEP_REF}, optional={"IEPGoalType": SCALARS}), max_size=2),
    "IDEAEvent": st.lists(records(["IDEAEvent", "BeginDate", "EndDate", "EventCompliance"]),
                          max_size=4),
    "DisciplineAction": st.lists(records(["DisciplineDate", "Discipline",
                                          "ActualDisciplineActionLength",
                                          "DisciplineActionLength"]), max_size=2),
})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENT)
def test_import_never_raises_and_builds_valid_cases(document: dict[str, object],
                                                    tmp_path_factory: object) -> None:
    path = Path(tmp_path_factory.mktemp("edfi")) / "random.json"  # type: ignore[attr-defined]
    path.write_text(json.dumps(document), encoding="utf-8")
    run = import_edfi([path], MAPPING)
    cases = list(run.cases())
    for case in cases:
        assert case_from_mapping(case.document).id == case.document["id"]
    students = {r.get("StudentUniqueId") if "StudentUniqueId" in r
                else r["StudentIEPReference"]["StudentUniqueId"]
                for kind, rows in document.items()  # type: ignore[attr-defined]
                if kind != "DisciplineAction" for r in rows}
    assert len(cases) == len({s for s in students if isinstance(s, str) and s.strip()})
