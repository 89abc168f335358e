"""What a record's form posts becomes the record's values: a dialect typed as the pages show
it, in either language, is kept as the planner matches it."""

from dispatch.schedules.schemas import ScheduleUpdate
from dispatch.volunteers.schemas import VolunteerUpdate
from dispatch.web.forms import parse, period_text


def test_skills_typed_as_the_pages_show_them_are_kept_as_the_planner_reads_them() -> None:
    posted = {"skills": "medicine,方言：南京话, dialect: 苏州话，Dialect:上海话,会开车"}
    assert parse(VolunteerUpdate, posted)["skills"] == [
        "medicine",
        "dialect:南京话",
        "dialect:苏州话",
        "dialect:上海话",
        "会开车",
    ]


def test_periods_typed_one_a_line_in_the_ways_people_write_them() -> None:
    posted = {
        "holds": "2026-12-07 – 2026-12-13 家人接去小住\n\n2026-12-20至2026-12-21\n"
        "2026-12-24 住院观察\n12月25日 出门"
    }
    assert parse(ScheduleUpdate, posted)["holds"] == [
        {"start": "2026-12-07", "end": "2026-12-13", "reason": "家人接去小住"},
        {"start": "2026-12-20", "end": "2026-12-21", "reason": ""},
        {"start": "2026-12-24", "end": "2026-12-24", "reason": "住院观察"},  # one day
        {"start": "12月25日 出门", "end": "12月25日 出门"},  # refused by the schema, named
    ]
    assert parse(ScheduleUpdate, {"holds": ""})["holds"] == []  # all cleared
    assert period_text({"start": "2026-12-24", "end": "2026-12-24", "reason": "住院"}) == (
        "2026-12-24 住院"
    )
