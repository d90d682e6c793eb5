"""The artist's studio (/studio): sign-in, the inbox, the pipeline, lead pages, calendar,
settings and tours, and campaigns; server-rendered."""

from fastapi import APIRouter

from api.studio import calendar_page, campaigns, inbox, lead, pipeline, settings_pages, signin

router = APIRouter()
router.include_router(signin.router)
router.include_router(pipeline.router)
router.include_router(lead.router)
router.include_router(settings_pages.router)
router.include_router(calendar_page.router)
router.include_router(inbox.router)
router.include_router(campaigns.router)

__all__ = ["router"]
