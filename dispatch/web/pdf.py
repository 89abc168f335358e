"""Pages as PDF with WeasyPrint, which embeds the fonts it uses (Noto CJK for Chinese)."""

from __future__ import annotations

from dispatch.errors import Unavailable


def pdf_of(html: str) -> bytes:
    try:
        from weasyprint import HTML  # needs Pango, a system library
    except OSError as error:  # pragma: no cover - depends on the machine
        raise Unavailable(
            "PDF output needs the Pango library and a CJK font: on Debian or Ubuntu, "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"
        ) from error
    document: bytes = HTML(string=html).write_pdf()
    return document
