"""/docs works offline: Swagger UI's script and styles come from the API itself (a package's
copy), never a CDN; and it is off (with the OpenAPI schema) in production unless enabled."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="session")


def client_for(**values) -> httpx.AsyncClient:
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    transport = httpx.ASGITransport(app=create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://api")


async def test_docs_are_served_with_their_own_assets() -> None:
    async with client_for(APP_ENV="dev") as http:
        page = await http.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text and "http" not in page.text.split("<body>")[1]
        assert "/static-offline-docs/swagger-ui-bundle.js" in page.text
        script = await http.get("/static-offline-docs/swagger-ui-bundle.js")
        assert script.status_code == 200 and len(script.content) > 100_000
        css = await http.get("/static-offline-docs/swagger-ui.css")
        assert css.status_code == 200
        schema = (await http.get("/openapi.json")).json()
        assert "/webhooks/whatsapp" in schema["paths"]
        assert "/metrics" not in schema["paths"]


async def test_docs_are_off_when_disabled_and_by_default_in_production() -> None:
    async with client_for(APP_ENV="dev", DOCS_ENABLED=False) as http:
        assert (await http.get("/docs")).status_code == 404
        assert (await http.get("/openapi.json")).status_code == 404
    production = Settings(_env_file=None, APP_ENV="production")  # type: ignore[call-arg]
    assert production.docs_enabled is False
    enabled = Settings(_env_file=None, APP_ENV="production", DOCS_ENABLED=True)  # type: ignore[call-arg]
    assert enabled.docs_enabled is True
