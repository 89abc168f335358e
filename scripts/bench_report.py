"""Writing a benchmark's results: JSON for tools, Markdown for people, with the command."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def write_reports(
    path: Path,
    rows: list[dict[str, Any]] | dict[str, Any],
    script: str,
    argv: Sequence[str] | None,
    markdown: Callable[[Any, str], str],
) -> None:
    """Write `path` (JSON) and the same name with .md, which starts with how to reproduce it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    arguments = sys.argv[1:] if argv is None else list(argv)
    command = f"python scripts/{script} " + shlex.join(arguments)
    path.with_suffix(".md").write_text(markdown(rows, command))
    print(f"wrote {path} and {path.with_suffix('.md')}")
