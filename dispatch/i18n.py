"""Translations: English in the code and templates, Simplified Chinese from a catalog.

The catalogs are kept as .po text and compiled in memory when first used, so running the
application needs no build step. `pybabel extract -F babel.cfg -o messages.pot .` and
`pybabel update` keep them in step with the templates.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh-CN", "en")
_CATALOGS = Path(__file__).parent / "translations"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    folder = locale.replace("-", "_")
    with (_CATALOGS / folder / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=folder)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def N_(message: str) -> str:
    """Mark a text for translation where it is defined; it is translated where it is shown."""
    return message


def chosen(requested: str | None, default: str) -> str:
    """The page language: the one asked for (switch or cookie), else the station's."""
    return requested if requested in LOCALES else default if default in LOCALES else "zh-CN"
