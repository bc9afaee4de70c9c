"""The Wayback fixtures of tests/fixtures/wayback.py, for these tests only."""

from tests.fixtures.wayback import wayback_server

__all__ = ["wayback_server"]
