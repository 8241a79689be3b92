"""GET /rounds/<id>/grid/<category>: rows, columns, 回避 rows, totals, counts, permissions."""
from __future__ import annotations

import re

import pytest

from scorecard.services.scoring import scores as scoring
from tests.scores.helpers import grid_url, text


def cells(page: str, target_id: int) -> list[str]:
    row = re.search(rf'<tr data-target="{target_id}".*?</tr>', page, re.S).group(0)
    return re.findall(r'<input class="cell"', row)


def test_grid_lists_targets_and_applicable_leaves(w, as_user):
    page = text(as_user("assessor").get(grid_url(w)))
    assert "甲局机关党委" in page and "乙局机关党委" in page
    for code in ("1.1", "1.2", "2.2", "3.3"):
        assert f'<span class="code">{code}</span>' in page
    assert "网格治理" not in page  # 社区-only leaf
    assert '<span class="max">20分</span>' in page
    assert len(cells(page, w["ta"].id)) == 9 and len(cells(page, w["tb"].id)) == 9
    assert 'data-save-url="/api/scores"' in page and 'data-editable="1"' in page
    assert "grid.js" in page and '<main class="wide">' in page
    assert "<script>" not in page and "style=" not in page and "onclick" not in page


def test_home_unit_row_is_avoided_without_inputs(w, as_user):
    page = text(as_user("assessor_a").get(grid_url(w)))
    assert cells(page, w["ta"].id) == []
    row = re.search(rf'<tr data-target="{w["ta"].id}".*?</tr>', page, re.S).group(0)
    assert "回避" in row
    assert len(cells(page, w["tb"].id)) == 9


def test_cells_show_own_points_row_totals_and_column_counts(w, as_user, session):
    scoring.save_score(session, w["assessor"], w["tb"], w["leaf"]["1.1"], {"value": "18.5"})
    scoring.save_score(session, w["assessor"], w["tb"], w["leaf"]["2.2"], {"level": "较好"})
    scoring.save_score(session, w["assessor"], w["ta"], w["leaf"]["1.1"], {"value": "20"})
    scoring.save_score(session, w["assessor2"], w["ta"], w["leaf"]["2.2"], {"level": "差"})  # not mine
    session.commit()
    page = text(as_user("assessor").get(grid_url(w)))
    assert 'value="18.50" data-saved="18.50" data-version="1"' in page
    assert 'value="8.00" data-saved="8.00" data-version="1"' in page
    assert 'title="档次：较好（80%）"' in page
    row_b = re.search(rf'<tr data-target="{w["tb"].id}".*?</tr>', page, re.S).group(0)
    assert '<td class="total" data-total>26.50</td>' in row_b
    row_a = re.search(rf'<tr data-target="{w["ta"].id}".*?</tr>', page, re.S).group(0)
    assert '<td class="total" data-total>20.00</td>' in row_a
    counts = re.findall(r'<td class="count" data-count>(\d+)</td>', page)
    assert counts[:5] == ["2", "0", "0", "0", "1"]


@pytest.mark.parametrize("username", ["leader", "unit_a", "unit_b", "clerk", "admin", "assessor_b"])
def test_grid_is_refused_outside_role_or_scope(w, as_user, username):
    assert as_user(username).get(grid_url(w)).status_code == 403


def test_unknown_round_or_category_is_404(w, as_user, make, session):
    other = make.category("社区")
    session.commit()
    c = as_user("assessor")
    assert c.get(f"/rounds/99999/grid/{w['category'].id}").status_code == 404
    assert c.get(f"/rounds/{w['round'].id}/grid/99999").status_code == 404
    assert c.get(f"/rounds/{w['round'].id}/grid/{other.id}").status_code == 404  # no targets


@pytest.mark.parametrize("phase", ["publicity", "final"])
def test_locked_round_grid_is_read_only(w, as_user, session, phase):
    w["round"].phase = phase
    session.commit()
    page = text(as_user("assessor").get(grid_url(w)))
    assert 'data-editable="0"' in page and "评分已锁定" in page
    assert page.count(" readonly>") == 18


def test_cells_escape_names_built_outside_jinja(w, as_user, session):
    """Cells are assembled in Python (scores_grid._rows) for speed: names must still be escaped."""
    w["tb"].org.name = '乙局"><script>alert(1)</script>'
    w["leaf"]["1.1"].name = '第一议题<b>&"'
    session.commit()
    page = text(as_user("assessor").get(grid_url(w)))
    assert "<script>alert(1)" not in page and "<b>&" not in page
    assert 'aria-label="乙局&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; 1.1 第一议题&lt;b&gt;&amp;&#34;"' in page
    assert 'data-name="第一议题&lt;b&gt;&amp;&#34;"' in page
    assert len(cells(page, w["tb"].id)) == 9
