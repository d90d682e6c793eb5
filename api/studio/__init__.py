"""The artist's studio (/studio): sign-in, the pipeline, lead pages and campaigns,
server-rendered."""

from fastapi import APIRouter

from api.studio import campaigns, lead, pipeline, signin

router = APIRouter()
router.include_router(signin.router)
router.include_router(pipeline.router)
router.include_router(lead.router)
router.include_router(campaigns.router)

__all__ = ["router"]
