"""/demo hands anyone the artist's one-tap links and lets them write as any client: it is served
only with DEMO_MODE on, on the sandbox adapters, without credentials for Meta or Stripe."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="session")

DEMO_ROUTES = [
    ("GET", "/demo"),
    ("POST", "/demo/send"),
    ("GET", "/demo/chat?phone=0"),  # a number here would be logged by the client
    ("GET", "/demo/artist"),
    ("GET", "/demo/events"),
    ("GET", "/demo/checkout/cs_sandbox_1"),
]


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


async def statuses(app: FastAPI) -> list[int]:
    # Routing only: a route that is not there answers 404 before touching the database.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as http:
        return [(await http.request(method, path)).status_code for method, path in DEMO_ROUTES]


async def test_demo_routes_are_not_served_by_default():
    assert await statuses(create_app(settings())) == [404] * len(DEMO_ROUTES)


async def test_a_deployment_left_at_dev_with_cloud_adapters_serves_no_demo(stack):
    for method, path in DEMO_ROUTES:
        assert (await stack.http.request(method, path)).status_code == 404, path


async def test_demo_mode_on_the_sandboxes_serves_the_demo_page():
    transport = httpx.ASGITransport(app=create_app(settings(DEMO_MODE=True)))
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as http:
        page = await http.get("/demo")
    assert page.status_code == 200
    assert 'data-testid="phone-input"' in page.text


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"WHATSAPP_MODE": "cloud"}, "WHATSAPP_MODE must be 'sandbox'"),
        ({"STRIPE_MODE": "stripe"}, "STRIPE_MODE must be 'sandbox'"),
        ({"WHATSAPP_ACCESS_TOKEN": "EAAG-real"}, "WHATSAPP_ACCESS_TOKEN is set"),
        ({"STRIPE_SECRET_KEY": "sk_live_real"}, "STRIPE_SECRET_KEY is set"),
        ({"APP_ENV": "production"}, "DEMO_MODE must be false"),
    ],
)
async def test_demo_mode_with_real_providers_refuses_to_start(values, named):
    with pytest.raises(RuntimeError) as refused:
        create_app(settings(DEMO_MODE=True, **values))
    assert named in str(refused.value)
