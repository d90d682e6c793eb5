"""HTML pages for the artist's links, the client's payment pages and the demo's checkout: one
Jinja2 template per page under `api/templates/` (the studio's under `templates/studio/`), every
value autoescaped unless it is already `Markup` (a rendered part)."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
# StrictUndefined: a value a template names and the page forgot is an error, not a blank.
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
)


def render(template: str, /, **values: object) -> Markup:
    """The template filled in; a value is escaped unless it is `Markup` (a rendered part)."""
    return Markup(_environment.get_template(template).render(**values))


def page(title: str, template: str, status: int = 200, /, **values: object) -> HTMLResponse:
    """A whole page: `template` rendered inside the shared layout."""
    content = render(template, **values)
    return HTMLResponse(render("page.html", title=title, content=content), status_code=status)


def note(title: str, text: str, status: int = 200) -> HTMLResponse:
    """A page that only says what happened."""
    return page(title, "note.html", status, text=text)
