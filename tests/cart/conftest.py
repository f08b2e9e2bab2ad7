"""Cart tests call services directly: give them a request, as the pages and the API do
(messages are translated for the reader, whose language comes from the request)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_request(app):
    with app.test_request_context():
        yield
