"""The planner example in README.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_example_plans_the_lunch() -> None:
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None
    scope: dict[str, object] = {}
    exec(compile(code.group(1), str(README), "exec"), scope)
    plan = scope["plan"]
    assert plan.assignment() == {"lunch-li": "wang"}  # type: ignore[attr-defined]
