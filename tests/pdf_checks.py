"""What a test can ask of a PDF: its text, and the CJK fonts embedded in it."""

import io
from typing import Any

from pypdf import PdfReader


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def embedded_cjk_fonts(document: bytes) -> list[str]:
    """The names of the CJK fonts on the first page that are embedded (not just named)."""
    page = PdfReader(io.BytesIO(document)).pages[0]
    resources: Any = page["/Resources"]  # pypdf's objects are loosely typed
    embedded = []
    for reference in resources["/Font"].values():
        font = reference.get_object()
        if "CJK" not in str(font["/BaseFont"]):
            continue
        descendant = font["/DescendantFonts"][0].get_object()
        files = {"/FontFile", "/FontFile2", "/FontFile3"}
        if files & set(descendant["/FontDescriptor"].get_object()):
            embedded.append(str(font["/BaseFont"]))
    return embedded
