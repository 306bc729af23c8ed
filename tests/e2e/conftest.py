"""Fixtures of the end-to-end tests beyond tests/fixtures.py."""

from tests.e2e.portal_platform import portal_url  # noqa: F401  (the portal tests' platform)
