"""What every page module shares: rendering in the page language, the signed-in user, and
forms checked against the API's schemas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from dispatch.access import Principal
from dispatch.records.service import invalid_input

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class PageKit:
    render: Callable[..., HTMLResponse]  # (request, template, locale, **values)
    signed_in: Callable[[Request, Session], Principal | None]
    language: Callable[..., str]  # (request, station=None) -> locale
    environment: Callable[[str], jinja2.Environment]  # the templates of a locale
    # (request, session, back, do): do it as the signed-in user, then back to the page
    action: Callable[..., Response]


def valid(schema: type[ModelT], **values: Any) -> ModelT:
    """A form's values as the API's schema, or the API's error."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        raise invalid_input(error) from error
