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
    # No pre-ping: it costs a round trip on every checkout, about a third of a turn's own
    # (bench/RESULTS.md, issue 14). A connection the server dropped fails its one statement,
    # which SQLAlchemy sees as a disconnect and answers by replacing the whole pool; callers
    # already retry (activities) or answer 503 (webhooks). Recycling keeps connections younger
    # than the idle timeouts of proxies in between.
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=20,
        pool_recycle=1800,
        hide_parameters=True,
    )


def make_sessions(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def autocommit(sessions: async_sessionmaker) -> AsyncEngine:
    """The sessions' engine (same pool) with every statement its own transaction: one round
    trip where a session would add BEGIN and COMMIT. For hot paths whose writes are each one
    statement (a data-modifying CTE when several rows must change together)."""
    engine: AsyncEngine = sessions.kw["bind"]
    return engine.execution_options(isolation_level="AUTOCOMMIT")
