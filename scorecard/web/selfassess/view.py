"""View model of the self-assessment page: one entry per applicable leaf, reusing the score
page's typed inputs (web/scores/inputs.LeafView + templates/scores/_inputs.html)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scorecard.services.scoring.score_page import LeafView, explain
from scorecard.services.selfassess import fill as selfassess

if TYPE_CHECKING:  # annotations only: the page's data comes from services/selfassess/pages.py
    from scorecard.models import EvidenceCitation, Indicator, SelfItem, SelfItemVersion
    from scorecard.services.selfassess.pages import SelfPage

ACTIONS = {"save": "保存", "submit": "提交", "resubmit": "重新提交", "return": "退回修改",
           "confirm": "确认", "reject_evidence": "认定材料不相关"}


@dataclass
class SelfLeaf:
    leaf: LeafView
    item: SelfItem | None
    citations: list[EvidenceCitation]
    history: list[SelfItemVersion]
    narrative: str
    editable: bool
    reviewable: bool
    error: str | None = None
    cited_ids: set[int] = field(default_factory=set)

    @property
    def ind(self) -> Indicator:
        return self.leaf.ind

    @property
    def code(self) -> str:
        return self.leaf.ind.code

    @property
    def status(self) -> str:
        return self.item.status if self.item else "empty"

    @property
    def status_label(self) -> str:
        return self.item.status_label if self.item else "未填报"

    @property
    def explained(self) -> str:
        if not self.item or self.item.input is None:
            return ""
        return explain(self.leaf.rule, _Scoreish(self.item.input))


class _Scoreish:
    def __init__(self, inp):
        self.input = inp


def values_of(item: SelfItem | None) -> dict:
    return dict(item.input) if item and item.input else {}


def build(page: SelfPage, kept: dict | None = None) -> list[tuple]:
    """[(top indicator, [SelfLeaf …])] in scheme order; `kept`: a refused save's input by leaf code."""
    kept = kept or {}
    st = page.structure
    groups: dict[str, tuple] = {t.code: (t, []) for t in st.tops}
    for ind in st.leaves_for(page.target.category.name):
        item = page.items.get(ind.id)
        k = kept.get(ind.code)
        rule = st.rule(ind.code)
        values = k["values"] if k else values_of(item)
        version = k["version"] if k else (str(item.version) if item else "")
        cits = page.citations.get(ind.id, [])
        sl = SelfLeaf(LeafView(ind, rule, None, [], values, "", version), item, cits,
                      page.history.get(ind.id, []),
                      k["narrative"] if k else (item.narrative if item else ""),
                      editable=page.unit and (item is None or item.status in selfassess.EDITABLE),
                      reviewable=page.reviewer and item is not None and item.status == "submitted",
                      error=k.get("error") if k else None,
                      cited_ids=set(k["evidence"]) if k else {c.evidence_id for c in cits})
        groups[st.top_of[ind.code]][1].append(sl)
    return [g for g in groups.values() if g[1]]
