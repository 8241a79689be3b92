"""The scored two-category round of tests/exports (hostile names, a deduction, adjustments);
`committed` commits it so web views and background jobs (their own sessions) see it."""
from __future__ import annotations

import pytest

from tests.exports.conftest import scored, world  # noqa: F401  (fixtures shared with tests/exports)


@pytest.fixture
def committed(scored):  # noqa: F811
    scored.session.commit()
    return scored
