from __future__ import annotations

import pytest

from scorecard.services.schemes import lifecycle as schemes

from .helpers import parsed


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


@pytest.fixture
def draft(w, session):
    """A valid draft imported from a parsed scheme (categories: all that exist = 机关)."""
    scheme = schemes.import_scheme(session, w["assessor"], parsed(), "S1", "2025年度机关党建考核", 2025)
    session.commit()
    return scheme
