"""Spreadsheet exchange for a round: what the score template holds, filled scores in, a targets
file's codes. Permissions and phases are checked here; parsing lives in importers/, writing in
exports/ (score_template.py, ranking.py). Flush, never commit: the caller commits only when everything succeeded."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.rules import RuleError, deductions_of, input_from_points
from scorecard.importers.common import (
    ImportFailed,
    ImportIssue,
    IssueCollector,
    clean_text,
    iter_rows,
    match_header_keys,
    open_workbook,
)
from scorecard.importers.orgs import SYNONYMS as ORG_SYNONYMS
from scorecard.importers.scores import SHEET_NAME as SHEET
from scorecard.importers.scores import LeafInfo, ScoreCell, parse_scores
from scorecard.models import Round, RoundTarget, Score, User
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring import scores as scoring


@dataclass
class ImportResult:
    count: int  # score cells saved (or, in a dry run, that would be saved)
    targets: int  # distinct targets touched
    leaves: int  # distinct leaves touched


@dataclass
class ScoreTemplate:
    """What the actor's score template holds: the leaves, the targets they score (never their
    home unit) with the leaves that apply to each, and their own saved scores and 备注."""
    title: str
    leaves: list[tuple[str, str, Decimal]]
    targets: list[tuple[str, str, str, set[str]]]
    existing: dict[tuple[str, str], Decimal]
    notes: dict[str, str]
    created: dt.datetime | None


def score_template(session: Session, actor: User, rnd: Round) -> ScoreTemplate:
    if not permissions.can_view_round(actor, rnd):
        raise PermissionDenied()
    st = round_structure(rnd)
    leaves = [(c, st.leaf(c).name, st.leaf(c).max_points) for c in st.leaf_codes]
    rows = [t for t in _targets(session, rnd)
            if permissions.in_scope(actor, t.org) and not permissions.is_home_unit(actor, t.org)]
    targets = [(t.org.code, t.org.name, t.category.name,
                {c for c in st.leaf_codes if st.applies(c, t.category.name)}) for t in rows]
    existing, notes = _own_scores(session, actor, rnd, st)
    return ScoreTemplate(f"{rnd.name}评分表（考核员：{actor.display_name}）", leaves, targets, existing, notes,
                         rnd.created_at)


def _targets(session: Session, rnd: Round) -> list[RoundTarget]:
    return list(session.scalars(
        select(RoundTarget).where(RoundTarget.round_id == rnd.id).order_by(RoundTarget.id)
        .options(selectinload(RoundTarget.org), selectinload(RoundTarget.category))
    ))


def _own_scores(session: Session, actor: User, rnd: Round, st):
    """The actor's saved points {(org, leaf): points} and 备注 texts {org: "1.2：原因；…"}:
    a deduct leaf's deduction reasons (so re-importing the file unchanged is accepted),
    otherwise the score's comment."""
    code_of = {i.id: i.code for i in rnd.scheme.indicators}
    order = {c: i for i, c in enumerate(st.leaf_codes)}
    rows = session.execute(
        select(Score, RoundTarget.org_id)
        .join(RoundTarget, Score.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id, Score.assessor_id == actor.id)
    ).all()
    org_code = {t.org_id: t.org.code for t in rnd.targets}
    existing: dict[tuple[str, str], Decimal] = {}
    comments: dict[str, list[tuple[int, str]]] = {}
    for score, org_id in rows:
        code, org = code_of[score.indicator_id], org_code[org_id]
        existing[(org, code)] = score.points
        reasons = [reason for _, reason in deductions_of(st.rule(code), score.input)]
        text = "，".join(dict.fromkeys(_one_line(r) for r in reasons)) or _one_line(score.comment or "")
        if text:
            comments.setdefault(org, []).append((order.get(code, 0), f"{code}：{text}"))
    notes = {org: "；".join(text for _, text in sorted(items)) for org, items in comments.items()}
    return existing, notes


def _one_line(text: str) -> str:
    return " ".join(text.replace("；", "，").replace(";", ",").split())


def import_score_file(session: Session, actor: User, rnd: Round, source: str | Path | bytes | IO[bytes],
                      dry_run: bool = False) -> ImportResult:
    """Validate a filled template as a whole, then save every cell as the actor's score.
    Any problem raises ImportFailed listing all of them, and nothing is saved."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    if not rnd.scoring_open:
        raise ServiceError(f"本轮考核处于“{rnd.phase_label}”阶段，不能导入评分", "round")
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    st = round_structure(rnd)
    leaves = [LeafInfo(c, st.leaf(c).name, st.leaf(c).max_points, st.leaf(c).rule_type)
              for c in st.leaf_codes]
    by_code = {t.org.code: t for t in _targets(session, rnd)}
    applicable = {cat: set(codes) for cat, codes in st.applicable.items()}
    cells = parse_scores(source, leaves, {c: t.category.name for c, t in by_code.items()}, applicable)
    _check_cells(actor, st, by_code, cells)
    if not dry_run:
        scoring.import_scores(session, actor, rnd, cells)
        audit.record(session, actor, "import", "round", rnd.id,
                     new={"scores": len(cells), "targets": len({c.target_code for c in cells})})
    return ImportResult(len(cells), len({c.target_code for c in cells}), len({c.leaf_code for c in cells}))


def _check_cells(actor: User, st, by_code: dict[str, RoundTarget], cells: list[ScoreCell]) -> None:
    """Refuse rows the actor may not score (home unit, out of scope) and values a leaf rule
    rejects, all at once, before anything is saved."""
    issues = IssueCollector()
    refused: set[int] = set()
    for cell in cells:
        target = by_code[cell.target_code]
        reason = None if cell.row in refused else permissions.why_not_score(actor, target)
        if reason:
            refused.add(cell.row)
            issues.add(f"“{target.org.code} {target.org.name}”：{reason}", SHEET, cell.row)
        if cell.row in refused:
            continue
        try:
            input_from_points(st.rule(cell.leaf_code), cell.points, cell.reason)
        except RuleError as exc:
            issues.add(f"{cell.leaf_code}：{exc}", SHEET, cell.row, cell.column)
    issues.fail_if_any()


def read_target_codes(source: str | Path | bytes | IO[bytes]) -> list[str]:
    """Organisation codes from a targets file: the column headed 组织编码 (or a synonym, as in
    the organisation import) within the first 10 rows of the first sheet."""
    wb = open_workbook(os.fspath(source) if isinstance(source, os.PathLike) else source)
    try:
        if not wb.sheetnames:
            raise ImportFailed([ImportIssue("工作簿中没有工作表")])
        ws = wb[wb.sheetnames[0]]
        column = None
        codes: list[str] = []
        for number, values in iter_rows(ws):
            if column is None:
                found = match_header_keys(values, {"code": ORG_SYNONYMS["code"]})
                if "code" in found:
                    column = found["code"]
                elif number >= 10:
                    break
                continue
            if column < len(values) and clean_text(values[column]):
                codes.append(clean_text(values[column]))
    finally:
        wb.close()
    if column is None:
        raise ImportFailed([ImportIssue("未找到“组织编码”列（前10行内）", ws.title)])
    if not codes:
        raise ImportFailed([ImportIssue("文件中没有组织编码", ws.title)])
    return codes
