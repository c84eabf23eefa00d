"""A warehouse connection for the mapped-extract tests."""

from __future__ import annotations

import pytest

from peel.warehouse import connect


@pytest.fixture
def con(peel_home):
    con = connect()
    yield con
    con.close()
