"""The artist's studio (/studio): sign-in, the pipeline and lead pages, server-rendered."""

from fastapi import APIRouter

from api.studio import lead, pipeline, signin

router = APIRouter()
router.include_router(signin.router)
router.include_router(pipeline.router)
router.include_router(lead.router)

__all__ = ["router"]
