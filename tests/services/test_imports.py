"""Importing clients and volunteers: whole files or nothing, and re-imports that update."""

import csv
import io
import re
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import unquote

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch.access import system_principal
from dispatch.admission import WriteTurns
from dispatch.container import Services
from dispatch.errors import ImportRejected
from dispatch.imports.service import import_records, stage_import
from dispatch.imports.writing import write_in_turns
from models import AuditEvent, Client, Volunteer
from models.enums import Role
from tests.builders.accounts import Account, create_account, sign_in
from tests.builders.days import plan_day
from tests.builders.records import create_station, ident

CLIENT_HEADERS = [
    "编号",
    "姓名",
    "电话",
    "地址",
    "纬度",
    "经度",
    "饮食",
    "独居",
    "送餐开始时间",
    "送餐结束时间",
    "过敏",
]
GOOD_ROWS = [
    [
        "C001",
        "王秀英",
        "139 1234 5678",
        "南京市华侨路56号",
        "32.0465",
        "118.7751",
        "糖尿病餐",
        "是",
        "11:00",
        "12:30",
        "花生、海鲜",
    ],
    [
        "C002",
        "李建国",
        "025-84561234",
        "南京市汉中路89号",
        "32.0418",
        "118.7702",
        "低盐",
        "否",
        "11:30",
        "13:00",
        "",
    ],
    ["", "赵桂兰", "13700001111", "南京市中山东路1号", "", "", "软食", "是", "", "", ""],
]


def _csv(headers: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(headers: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def coordinator(session: Session) -> Account:
    return create_account(session, role=Role.COORDINATOR, stations=(create_station(session),))


def _station(api: httpx.Client, account: Account) -> int:
    return int(api.get("/api/auth/me", headers=account.headers).json()["station_ids"][0])


def _upload(
    api: httpx.Client, account: Account, kind: str, name: str, content: bytes
) -> httpx.Response:
    return api.post(
        f"/api/import/{kind}",
        headers=account.headers,
        params={"station_id": _station(api, account)},
        files={"file": (name, content)},
    )


def test_clients_import_from_csv_with_chinese_headers(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    response = _upload(api, coordinator, "clients", "老人名单.csv", _csv(CLIENT_HEADERS, GOOD_ROWS))

    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3
    clients = {c.name: c for c in session.exec(select(Client)).all()}
    wang = clients["王秀英"]
    assert (wang.phone, wang.diet, wang.lives_alone, wang.allergies) == (
        "13912345678",
        "diabetic",
        True,
        ["花生", "海鲜"],
    )
    assert str(wang.preferred_window_start) == "11:00:00"
    assert clients["李建国"].phone == "02584561234"
    assert (clients["王秀英"].geocode_status, clients["王秀英"].geocode_source) == (
        "manual",
        "import",
    )


def test_reimport_updates_and_never_duplicates(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    first = _upload(api, coordinator, "clients", "a.csv", _csv(CLIENT_HEADERS, GOOD_ROWS))
    same = _upload(api, coordinator, "clients", "a.csv", _csv(CLIENT_HEADERS, GOOD_ROWS))
    changed_rows = [row.copy() for row in GOOD_ROWS]
    changed_rows[0][6] = "清真"  # C001 changes diet; matched on 编号
    changed_rows[2][3] = "南京市中山东路1号"  # 赵桂兰 has no 编号: matched on name + phone
    changed = _upload(api, coordinator, "clients", "a.xlsx", _xlsx(CLIENT_HEADERS, changed_rows))

    assert first.json()["created"] == 3
    assert (same.json()["created"], same.json()["updated"], same.json()["unchanged"]) == (0, 0, 3)
    assert (changed.json()["created"], changed.json()["updated"]) == (0, 1)
    clients = session.exec(select(Client)).all()
    assert len(clients) == 3
    assert {c.name: c.diet for c in clients}["王秀英"] == "halal"


def test_bad_file_is_rejected_whole_with_every_problem(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    rows = [
        GOOD_ROWS[0],
        ["C010", "", "13900000000", "某地", "", "", "", "", "", "", ""],  # no name
        ["C011", "孙", "12345", "某地", "", "", "", "", "", "", ""],  # bad phone
        ["C012", "周", "13900000001", "某地", "0", "0", "", "", "", "", ""],  # null island
        ["C013", "吴", "13900000002", "某地", "", "", "披萨", "", "", "", ""],  # unknown diet
        ["C014", "郑", "13900000003", "某地", "", "", "", "也许", "", "", ""],  # not yes/no
        ["C015", "冯", "13900000004", "某地", "", "", "", "", "13:00", "11:00", ""],  # window
        ["C001", "王秀英", "13912345678", "某地", "", "", "", "", "", "", ""],  # duplicate
        ["", "钱", "13900000009", "某地", "", "", "", "", "", "", ""],
        ["", "钱", "13900000009", "某地", "", "", "披萨", "", "", "", ""],  # both at once
    ]

    response = _upload(api, coordinator, "clients", "bad.csv", _csv(CLIENT_HEADERS, rows))

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rejected"
    problems = {(p["row"], p["column"]) for p in body["problems"]}
    assert {(3, "姓名"), (4, "电话"), (6, "饮食"), (7, "独居"), (9, "编号")} <= problems
    rows_with_problems = sorted({p["row"] for p in body["problems"]})
    assert rows_with_problems == [3, 4, 5, 6, 7, 8, 9, 11]
    assert any("0, 0" in p["message"] for p in body["problems"] if p["row"] == 5)
    assert any("same person as row 2" in p["message"] for p in body["problems"])
    # A row refused for a cell is also told it repeats a row: one round of mending.
    twice = [p["message"] for p in body["problems"] if p["row"] == 11]
    assert len(twice) == 2, twice
    assert any("same person as row 10" in m for m in twice), twice
    assert session.exec(select(Client)).all() == []  # the good row was not imported either


def test_a_file_rejected_on_the_page_lists_each_row_to_mend_in_the_readers_language(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    """A coordinator's Excel with mistakes: the page names each row, its column and what is
    wrong, in Chinese; mended, the file is taken and the page says what it did."""
    rows = [
        GOOD_ROWS[0],
        ["C011", "孙", "12345", "某地", "", "", "", "", "", "", ""],  # bad phone
        ["C013", "吴", "13900000002", "某地", "", "", "披萨", "", "", "", ""],  # unknown diet
        ["C014", "郑", "13900000003", "某地", "", "", "", "也许", "", "", ""],  # not yes/no
        ["C001", "王秀英", "13912345678", "某地", "", "", "", "", "", "", ""],  # duplicate
        ["C016", "钱", "999", "某地", "", "", "", "", "", "", ""],  # bad phone, after it
    ]
    sign_in(api, coordinator.user.username)
    rejected = api.post(
        "/records/clients/import/file",
        files={"file": ("老人名单.csv", _csv(CLIENT_HEADERS, rows), "text/csv")},
    )
    assert rejected.status_code == 422
    table = re.search(r'<table class="records" id="problems">.*?</table>', rejected.text, re.S)
    assert table is not None, rejected.text
    said = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(0))
    by_row = {(int(row), column): words for row, column, words in said}
    assert "不是电话号码" in by_row[(3, "电话")]
    assert by_row[(5, "独居")] == "“也许”不是“是”或“否”"
    assert by_row[(6, "编号")] == "与第 2 行是同一个人"
    assert (4, "饮食") in by_row
    assert not re.search(r"\b(?:not|the|row|is|value)\b", " ".join(by_row.values()))
    assert [int(row) for row, _, _ in said] == [3, 4, 5, 6, 7]  # in the file's order
    assert "文件未导入：发现 5 个问题。请在文件中改好这些行后重新导入。" in rejected.text
    assert session.exec(select(Client)).all() == []

    mended = api.post(
        "/records/clients/import/file",
        files={"file": ("老人名单.csv", _csv([*CLIENT_HEADERS, "备用列"], [GOOD_ROWS[0]]))},
    )
    assert mended.status_code == 303
    message = unquote(mended.headers["location"].split("message=", 1)[1])
    assert message == "已导入：新增 1 条，更新 0 条，0 条没有变化；未读取的列：备用列"


def test_gb18030_csv_from_excel_is_read(api: httpx.Client, coordinator: Account) -> None:
    content = _csv(CLIENT_HEADERS, GOOD_ROWS[:1], encoding="gb18030")

    response = _upload(api, coordinator, "clients", "excel.csv", content)

    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


def test_volunteers_import_from_xlsx_with_english_headers(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    headers = [
        "name",
        "phone",
        "travel_mode",
        "capacity",
        "skills",
        "lat",
        "lng",
        "datum",
        "Remarks",
    ]
    rows: list[list[object]] = [
        [
            "Zhang Wei",
            13811112222,
            "e-bike",
            10,
            "medicine, first_aid",
            32.0434,
            118.7889,
            "gcj02",
            "x",
        ],
        ["刘洋", "13822223333", "步行", 4, "送药、手语", 32.05, 118.78, "", ""],
    ]

    response = _upload(api, coordinator, "volunteers", "team.xlsx", _xlsx(headers, rows))

    assert response.status_code == 200, response.text
    assert response.json()["ignored_columns"] == ["Remarks"]
    volunteers = {v.name: v for v in session.exec(select(Volunteer)).all()}
    zhang = volunteers["Zhang Wei"]
    assert (zhang.phone, zhang.travel_mode, zhang.skills) == (
        "13811112222",
        "ebike",
        ["medicine", "first_aid"],
    )
    assert zhang.source_datum == "gcj02"
    assert zhang.lat is not None
    assert abs(zhang.lat - 32.0434) > 0.0005
    assert volunteers["刘洋"].skills == ["medicine", "sign_language"]
    again = _upload(api, coordinator, "volunteers", "team.xlsx", _xlsx(headers, rows))
    assert again.json()["unchanged"] == 2  # the GCJ-02 row is recognised after conversion


def test_import_into_another_station_is_404(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    other = create_station(session)

    response = api.post(
        "/api/import/clients",
        headers=coordinator.headers,
        params={"station_id": ident(other)},
        files={"file": ("a.csv", _csv(CLIENT_HEADERS, GOOD_ROWS))},
    )

    assert response.status_code == 404


def test_a_file_past_the_row_limit_is_refused_and_nothing_kept(
    session: Session, services: Services
) -> None:
    station = create_station(session)
    rows = [["", f"老人{n}", f"1390000{n:04d}", "某地"] + [""] * 7 for n in range(6)]
    blank = [[""] * len(CLIENT_HEADERS)] * 200  # formatted but empty rows after the list

    def load(content: bytes, name: str) -> None:
        import_records(
            session, services, system_principal("test"), "clients", ident(station), name,
            content, max_rows=5,
        )  # fmt: skip

    with pytest.raises(ImportRejected, match="more than 5 rows"):
        load(_csv(CLIENT_HEADERS, rows), "six.csv")
    with pytest.raises(ImportRejected, match="more than 5 rows"):
        load(_xlsx(CLIENT_HEADERS, rows[:5] + blank), "blank_tail.xlsx")  # 5 of 60 allowed
    load(_xlsx(CLIENT_HEADERS, rows[:5] + blank[:20]), "five.xlsx")
    assert len(session.exec(select(Client)).all()) == 5


def test_a_file_of_many_bad_rows_lists_the_first_hundred_problems_and_counts_the_rest(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    rows = [["", f"老人{n}", "12345", "某地"] + [""] * 7 for n in range(130)]  # bad phones

    response = _upload(api, coordinator, "clients", "bad.csv", _csv(CLIENT_HEADERS, rows))

    assert response.status_code == 422
    body = response.json()
    assert (len(body["problems"]), body["problems_omitted"]) == (100, 30)
    assert body["detail"].endswith("130 problem(s) found")
    assert session.exec(select(Client)).all() == []


def test_a_cell_of_any_size_or_like_a_formula_is_read_as_text(
    api: httpx.Client, coordinator: Account, session: Session
) -> None:
    formula = '=HYPERLINK("http://example.invalid","x")'
    long_note = "很" * 200_000  # past the csv module's 128 KB field limit
    headers = [*CLIENT_HEADERS, "备注"]
    rows = [[*GOOD_ROWS[0], ""], ["", formula, "13900000009", "某地", *[""] * 7, long_note]]

    response = _upload(api, coordinator, "clients", "odd.csv", _csv(headers, rows))

    assert response.status_code == 422, response.text  # the note is too long, not a crash
    assert [p["row"] for p in response.json()["problems"]] == [3]
    rows[1][-1] = "按门铃两次"
    accepted = _upload(api, coordinator, "clients", "odd.csv", _csv(headers, rows))
    assert accepted.status_code == 200, accepted.text
    names = {c.name for c in session.exec(select(Client)).all()}
    assert formula in names  # kept as typed; every export makes it inert


def test_an_import_written_in_parts_takes_back_every_part_when_a_later_part_fails(
    session: Session, services: Services, engine: Engine
) -> None:
    """Written 200 rows a transaction (so that outcomes need not wait for a whole file), an
    import still counts all or nothing: a part the database refuses undoes the parts before
    it, and the audit trail shows both."""
    station = create_station(session)
    rows = [["", f"老人{n}", f"1390000{n:04d}", "某地"] + [""] * 7 for n in range(250)]
    staged = stage_import(
        services, system_principal("test"), "clients", ident(station), "big.csv",
        _csv(CLIENT_HEADERS, rows), max_rows=1000,
    )  # fmt: skip
    staged.rows[240].data.station_id = 10**6  # type: ignore[union-attr]  # no such station

    with pytest.raises(IntegrityError):
        write_in_turns(engine, WriteTurns(serial_writes=False), staged)

    session.rollback()
    assert session.exec(select(Client)).all() == []
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "client")).all()
    assert sorted(Counter(actions).items()) == [("create", 200), ("delete", 200)]


def test_a_volunteers_outcome_goes_in_between_the_parts_of_a_long_import(
    api: httpx.Client, session: Session
) -> None:
    """On SQLite writes go one at a time; an import of 2,000 rows is written 200 rows a
    turn, so an outcome sent while it runs is stored before the import has finished."""
    day = plan_day(api, session, clients=2, volunteers=1)
    volunteer_id = day.first_route["volunteer_id"]
    door = day.doors(volunteer_id)[0]
    rows = [["", f"新老人{n}", f"1370000{n:04d}", "某地"] + [""] * 7 for n in range(2000)]
    content = _csv(CLIENT_HEADERS, rows)

    def run_import() -> httpx.Response:
        with httpx.Client(base_url=str(api.base_url), timeout=300) as other:
            return other.post(
                "/api/import/clients",
                headers=day.coordinator.headers,
                params={"station_id": ident(day.station)},
                files={"file": ("many.csv", content)},
            )

    def clients_now() -> int:
        session.rollback()
        return len(session.exec(select(Client.id)).all())

    with ThreadPoolExecutor(1) as pool:
        imported = pool.submit(run_import)
        deadline = time.monotonic() + 120
        while clients_now() <= 2:  # the first part is in
            assert time.monotonic() < deadline, "the import wrote nothing"
            assert not imported.done(), imported.result().text
            time.sleep(0.05)
        outcome = {
            "client_event_id": uuid.uuid4().hex,
            "kind": "delivered",
            "recorded_at": datetime.now(UTC).isoformat(),
        }
        sent = api.post(
            f"/api/me/stops/{door['id']}/outcomes",
            json=outcome,
            headers=day.volunteers[volunteer_id].headers,
        )
        stored_meanwhile = clients_now()
        assert imported.result().status_code == 200
    assert sent.status_code == 201, sent.text
    assert stored_meanwhile < 2002, "the outcome waited for the whole import"
    assert clients_now() == 2002
