"""A round's phases and the actions that move it on: the one phase machine that models,
services, permissions, views and templates read."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PHASES = {"self": "自评填报", "review": "审核评分", "publicity": "公示", "final": "已定档"}
PHASE_ORDER = ["self", "review", "publicity", "final"]

# Scores, self-assessments, 实地核验, 述职评议 and 绩优推报 are open while the round is in one of these.
SCORING_PHASES = ("self", "review")
# Results (ranking, score card) are shown to the assessed units from these on.
RESULT_PHASES = ("publicity", "final")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # the button, and the verb of messages (“不能发布公示”)
    sources: tuple[str, ...]  # phases it may start from
    target: str
    explain: str  # what it means for users, on the confirmation page


TRANSITIONS = {t.action: t for t in (
    Transition("start_review", "开始审核评分", ("self",), "review",
               "自评填报结束，进入审核评分阶段：考核员审核各单位材料并评分。"),
    # Publishing may skip 审核评分; finalizing never skips 公示 (units must be able to appeal),
    # and waits for its window to end unless an early close gives a reason (why_not_close_publicity).
    Transition("publish", "发布公示", ("self", "review"), "publicity",
               "发布后进入公示阶段：评分不能再修改，结果在公示期内接受申诉复核。"),
    Transition("finalize", "定档", ("publicity",), "final",
               "定档后冻结快照：方案版本、组织名称、每项得分、排名和等次全部锁定，之后的导出与页面均以快照为准，不可再修改。"),
)}


def phase_label(phase: str) -> str:
    return PHASES.get(phase, phase)


def available(phase: str) -> list[Transition]:
    """The actions a round in `phase` may take now, in order."""
    return [t for t in TRANSITIONS.values() if phase in t.sources]


def why_not_advance(phase: str, action: str) -> str | None:
    """Why a round in `phase` cannot take `action` (None: it can)."""
    t = TRANSITIONS[action]
    return None if phase in t.sources else f"当前阶段为“{phase_label(phase)}”，不能{t.label}"


MAX_EARLY_REASON = 2000


def why_not_close_publicity(window_end: dt.date | None, today: dt.date, early_reason: str | None,
                            verb: str = "定档") -> str | None:
    """Why a 公示 cannot be closed (and its result finalized) today; None: it can. The window
    (inclusive) must have ended, or an early close must give its reason (it is then audited).
    The one rule for every 公示: a round's, a designation year's, a points list's."""
    reason = (early_reason or "").strip()
    if len(reason) > MAX_EARLY_REASON:
        return f"提前结束公示的原因不能超过{MAX_EARLY_REASON}字"
    if window_end is not None and today > window_end:
        return None
    if reason:
        return None
    if window_end is None:
        return f"公示期未设置，不能{verb}；如需结束公示，请填写提前结束公示的原因"
    return (f"公示期至{window_end.isoformat()}结束，尚未期满，不能{verb}，以免各单位无法申诉；"
            "如确需提前结束公示，请填写提前结束的原因（将记入审计日志）")


def is_early_close(window_end: dt.date | None, today: dt.date) -> bool:
    """Closing a 公示 today cuts its window short."""
    return window_end is None or today <= window_end


def steps(phase: str) -> list[tuple[str, str]]:
    """Every phase's label with its state for a progress bar: done, current or todo."""
    here = PHASE_ORDER.index(phase)
    return [(PHASES[p], "done" if i < here else "current" if i == here else "todo")
            for i, p in enumerate(PHASE_ORDER)]
