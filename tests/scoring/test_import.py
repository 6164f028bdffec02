"""Importing the register from a spreadsheet: preview, all-or-nothing, idempotent."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from concord.core.models import AuditEntry
from concord.scoring import importing
from concord.scoring.models import Assessment
from concord.threats.models import Nominal, Ocg

pytestmark = pytest.mark.django_db

SCORES = {
    "harm_physical": "Substantial",
    "harm_psychological": "Moderate",
    "harm_financial": "2",
    "harm_community": "Minor",
    "scope": "Regional",
    "vulnerability": "Vulnerable",
    "likelihood": "Likely (55-75%)",
    "confidence": "Medium",
    "capability": "Adequate",
    "capacity": "Limited",
    "opportunity": "Good",
}
HEADERS = ["reference", "name", "criminality", "areas", "members", "sensitive", *SCORES]


def sheet(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**SCORES, **row})
    return out.getvalue().encode()


GOOD = [
    {
        "name": "Operation Gannet",
        "criminality": "illegal-drugs; Fraud",
        "areas": "DYP; Gwent Police",
        "members": "Owain Rees | principal | 1990-04-02; Carys Lewis | peripheral",
    },
    {
        "name": "Llanelli Docks OCG",
        "criminality": "Illegal firearms",
        "areas": "DYP",
        "members": "Ieuan Morgan",
    },
]


def upload(client, content: bytes, name: str = "register.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/ocgs/import/", {"sheet": SimpleUploadedFile(name, content)})


def test_a_good_sheet_previews_then_imports_with_scores(client, cast):
    client.force_login(cast("dp.analyst"))
    response = upload(client, sheet(GOOD))
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "2 rows are ready" in preview
    assert not Ocg.objects.exists()  # a preview writes nothing
    done = client.post(response["Location"])
    assert done.status_code == 302
    gannet = Ocg.objects.get(name="Operation Gannet")
    assert gannet.owner.code == "DYP"
    assert set(gannet.criminality_types.values_list("code", flat=True)) == {
        "illegal-drugs",
        "fraud",
    }
    assert set(gannet.force_areas.values_list("code", flat=True)) == {"DYP", "GWE"}
    assert gannet.members.count() == 2
    assert gannet.band != ""
    assert Assessment.objects.count() == 2
    entry = AuditEntry.objects.get(object_type="scoring.importbatch")
    assert entry.detail["created"] == 2


def test_one_bad_row_imports_nothing_and_names_the_row_and_column(client, cast):
    client.force_login(cast("dp.analyst"))
    bad = [
        GOOD[0],
        {**GOOD[1], "criminality": "Shoplifting"},
        {"name": "Third", "criminality": "fraud", "scope": "Galactic"},
    ]
    response = upload(client, sheet(bad))
    preview = client.get(response["Location"]).content.decode()
    assert "nothing will be imported" in preview
    assert "&#x27;Shoplifting&#x27; is not a criminality type." in preview
    assert '<td class="govuk-table__cell">3</td><td class="govuk-table__cell">criminality' in (
        preview.replace("\n", "")
    )
    assert '<td class="govuk-table__cell">4</td><td class="govuk-table__cell">scope' in (
        preview.replace("\n", "")
    )
    client.post(response["Location"])
    assert not Ocg.objects.exists()
    assert not Nominal.objects.exists()


def test_reimporting_updates_rather_than_duplicates(client, cast):
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    client.post(upload(client, sheet(GOOD))["Location"])
    references = dict(Ocg.objects.values_list("name", "reference"))
    again = [{**row, "reference": references[row["name"]]} for row in GOOD]
    for _ in range(2):
        client.post(upload(client, sheet(again))["Location"])
    assert Ocg.objects.count() == 2
    assert Nominal.objects.count() == 3
    assert Assessment.objects.count() == 2  # unchanged scores make no new assessment
    changed = [{**again[0], "harm_physical": "Severe"}, again[1]]
    client.post(upload(client, sheet(changed))["Location"])
    assert Assessment.objects.count() == 3


def test_a_reference_of_another_organisation_is_refused(client, cast):
    client.force_login(cast("gmp.sio"))
    client.post(upload(client, sheet([GOOD[0]]))["Location"])
    gmp_ref = Ocg.objects.get().reference
    client.force_login(cast("dp.analyst"))
    preview = client.get(upload(client, sheet([{**GOOD[0], "reference": gmp_ref}]))["Location"])
    assert "is not one of your organisation" in preview.content.decode()


def test_xlsx_sheets_import_too(client, cast):
    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADERS)
    ws.append(
        ["", GOOD[1]["name"], GOOD[1]["criminality"], "DYP", "Ieuan Morgan", "no", *SCORES.values()]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(cast("dp.analyst"))
    response = upload(client, buffer.getvalue(), "register.xlsx")
    client.post(response["Location"])
    assert Ocg.objects.get().name == "Llanelli Docks OCG"


def test_a_file_that_is_not_a_sheet_gets_a_clear_message(client, cast):
    client.force_login(cast("dp.analyst"))
    response = upload(client, b"%PDF-1.4", "register.pdf")
    assert "Upload a .csv or .xlsx file." in client.get(response["Location"]).content.decode()


def test_another_persons_upload_is_not_found(client, cast):
    client.force_login(cast("dp.analyst"))
    location = upload(client, sheet(GOOD))["Location"]
    client.force_login(cast("dp.sio"))
    assert client.get(location).status_code == 404


def test_planning_reads_partial_scores_as_an_error():
    rows = importing.read_table("x.csv", sheet([{**GOOD[0], "opportunity": ""}]))
    from concord.organisations.models import Organisation

    checked = importing.plan(owner=Organisation.objects.get(code="DYP"), rows=rows)
    assert checked.errors[0][0] == 2
    assert checked.errors[0][1] == "opportunity"
