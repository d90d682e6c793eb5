"""HTML pages for the artist's links, the client's payment pages and the demo's checkout: one
template per page under `api/templates/`, every value escaped unless it is already `Markup`.

Jinja2 is not among the pinned dependencies, so templates use `string.Template` placeholders
(`$name`), escaped with MarkupSafe as Jinja2's autoescape would."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def render(template: str, /, **values: object) -> Markup:
    """The template filled in; a value is escaped unless it is `Markup` (a rendered part)."""
    return Markup(_template(template).substitute({k: escape(v) for k, v in values.items()}))


def page(title: str, template: str, status: int = 200, /, **values: object) -> HTMLResponse:
    """A whole page: `template` rendered inside the shared layout."""
    content = render(template, **values)
    return HTMLResponse(render("page.html", title=title, content=content), status_code=status)


def note(title: str, text: str, status: int = 200) -> HTMLResponse:
    """A page that only says what happened."""
    return page(title, "note.html", status, text=text)
