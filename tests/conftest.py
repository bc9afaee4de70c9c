"""Session-wide test set-up: shared servers live in tests/fixtures/ and are loaded here.

- ``tests.fixtures.outlet``: the project's outlet server on a free 127.0.0.1 port;
- ``tests.fixtures.s3``: one SeaweedFS (``weed mini``) per session, every port free, credentials required;
- ``tests.fixtures.wayback``: a local Wayback Machine (CDX API + replay) holding an outlet's past;
- ``tests.reliability.figures``: the reliability suite's figures, printed at the end of the session.
"""

import pytest

pytest_plugins = ["tests.fixtures.outlet", "tests.fixtures.s3", "tests.fixtures.wayback", "tests.reliability.figures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--screenshots", default=None, metavar="DIR",
                     help="save the browser test's screenshots in DIR (docs/screenshots refreshes the README's)")
