"""Alembic environment: migrations run against DATABASE_URL with the sync psycopg driver."""

from alembic import context
from sqlalchemy import create_engine, pool

from models import Base
from models.base import async_url
from settings import get_settings

url = context.config.get_main_option("sqlalchemy.url") or get_settings().DATABASE_URL
engine = create_engine(async_url(url), poolclass=pool.NullPool)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
