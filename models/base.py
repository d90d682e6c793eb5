"""Declarative base and the engine/session factory (one engine per process)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def async_url(url: str) -> str:
    """Any PostgreSQL URL → the psycopg 3 dialect SQLAlchemy needs."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a PostgreSQL URL")


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    # hide_parameters: a database error's message would otherwise carry the statement's
    # parameters (phone numbers, what clients wrote) into every log that prints it.
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def make_sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)
