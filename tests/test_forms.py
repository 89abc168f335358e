"""What a record's form posts becomes the record's values: a dialect typed as the pages show
it, in either language, is kept as the planner matches it."""

from dispatch.volunteers.schemas import VolunteerUpdate
from dispatch.web.forms import parse


def test_skills_typed_as_the_pages_show_them_are_kept_as_the_planner_reads_them() -> None:
    posted = {"skills": "medicine,方言：南京话, dialect: 苏州话，Dialect:上海话,会开车"}
    assert parse(VolunteerUpdate, posted)["skills"] == [
        "medicine",
        "dialect:南京话",
        "dialect:苏州话",
        "dialect:上海话",
        "会开车",
    ]
