"""`inkflow`: the ops command line (Typer). Every command reads the same settings as the API and
the worker (the environment or `.env`) and works on the same PostgreSQL and Temporal."""

from cli.app import app

__all__ = ["app"]
