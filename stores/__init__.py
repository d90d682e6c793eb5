"""Data access to PostgreSQL, with intention-named methods, shared by activities, routes and
tests."""
