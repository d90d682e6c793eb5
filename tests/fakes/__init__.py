"""Fakes of the providers that speak their real wire formats, served on loopback for tests."""
