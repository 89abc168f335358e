"""Every text of the pages has its Simplified Chinese translation."""

import enum
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import models.enums
from dispatch.web.forms import CHOICES

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "dispatch" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def test_every_page_text_is_translated_to_chinese() -> None:
    found = {
        message
        for folder in ("dispatch", "models")
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={
                "_": None,
                "gettext": None,
                "ngettext": (1, 2),
                "N_": None,
                "Refusal": None,
            },
        )
    }
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="zh_CN")
    translated = {m.id for m in catalog if m.id and _translated(m.string)}
    assert found
    assert found <= translated, sorted(found - translated)


def _translated(string: object) -> bool:
    """A plural entry is translated when each of its forms is."""
    forms = string if isinstance(string, tuple) else (string,)
    return all(isinstance(form, str) and form for form in forms)


def test_every_stored_code_has_words_for_people() -> None:
    """Every value of every enum a page may show (a status, a kind, a role, a reason) has
    its words in the one table the pages use, so that no page shows a code."""
    codes = {
        member.value
        for kind in vars(models.enums).values()
        if isinstance(kind, type) and issubclass(kind, enum.Enum)
        for member in kind
    }
    assert codes - CHOICES.keys() == set()
