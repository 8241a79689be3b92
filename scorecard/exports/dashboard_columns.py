"""Column specs for the dashboard's data tables (the table behind every chart) and the burden
report; the same specs can feed an Excel sheet (exports/columns.Column)."""
from __future__ import annotations

from scorecard.exports.columns import Column


def tier_columns(tier_names: list[str]) -> list[Column]:
    cols = [Column("category", "类别", "text", 12, lambda r: r.category)]
    cols += [Column(f"tier:{t}", t, "int", 8, lambda r, t=t: r.counts.get(t, 0), group="等次")
             for t in tier_names]
    cols.append(Column("total", "合计", "int", 8, lambda r: r.total))
    return cols


def histogram_columns(categories: list[str]) -> list[Column]:
    cols = [Column("bin", "总分区间", "text", 12, lambda r: r.label)]
    cols += [Column(f"cat:{c}", c, "int", 10, lambda r, c=c: r.counts.get(c, 0), group="考核对象数")
             for c in categories]
    cols.append(Column("total", "合计", "int", 8, lambda r: r.total))
    return cols


def weakest_columns() -> list[Column]:
    return [
        Column("code", "指标编码", "text", 10, lambda w: w.code),
        Column("name", "指标名称", "text", 30, lambda w: w.name),
        Column("max", "分值", "num", 8, lambda w: w.max_points),
        Column("scored", "已评对象", "int", 8, lambda w: w.scored),
        Column("mean", "平均得分", "num", 10, lambda w: w.mean),
        Column("loss", "平均失分率(%)", "num", 12, lambda w: w.loss_rate),
    ]


def group_columns() -> list[Column]:
    return [
        Column("name", "片组", "text", 14, lambda g: g.name),
        Column("targets", "考核对象", "int", 8, lambda g: g.targets),
        Column("incomplete", "其中未评完", "int", 10, lambda g: g.incomplete),
        Column("mean", "平均总分", "num", 10, lambda g: g.mean),
        Column("best", "最高", "num", 8, lambda g: g.best),
        Column("worst", "最低", "num", 8, lambda g: g.worst),
    ]


def progress_columns() -> list[Column]:
    return [
        Column("category", "类别", "text", 12, lambda p: p.category),
        Column("targets", "考核对象", "int", 8, lambda p: p.targets),
        Column("full", "已全部评分", "int", 10, lambda p: p.full),
        Column("partly", "部分评分", "int", 10, lambda p: p.partly),
        Column("none", "未评分", "int", 8, lambda p: p.none),
    ]


def leaf_progress_columns() -> list[Column]:
    return [
        Column("code", "指标编码", "text", 10, lambda p: p.code),
        Column("name", "指标名称", "text", 30, lambda p: p.name),
        Column("applicable", "适用对象", "int", 8, lambda p: p.applicable),
        Column("scored", "已评分", "int", 8, lambda p: p.scored),
        Column("missing", "未评分", "int", 8, lambda p: p.missing),
    ]


def selfassess_columns() -> list[Column]:
    return [
        Column("status", "自评状态", "text", 12, lambda row: row[0]),
        Column("targets", "考核对象", "int", 8, lambda row: row[1]),
    ]


def movement_columns() -> list[Column]:
    return [
        Column("org_code", "组织编码", "text", 10, lambda m: m.org_code),
        Column("org_name", "组织名称", "text", 30, lambda m: m.org_name),
        Column("category", "类别", "text", 10, lambda m: m.category),
        Column("previous_total", "上轮总分", "num", 9, lambda m: m.previous_total),
        Column("total", "本轮总分", "num", 9, lambda m: m.total),
        Column("delta", "变化", "num", 8, lambda m: m.delta),
        Column("previous_tier", "上轮等次", "text", 8, lambda m: m.previous_tier),
        Column("tier", "本轮等次", "text", 8, lambda m: m.tier),
        Column("move", "等次变化", "text", 8, lambda m: m.move_label),
    ]


# --- burden (考核负担统计, C6) -------------------------------------------------------------------

EVIDENCE = "须提供佐证"


def scheme_burden_columns() -> list[Column]:
    return [
        Column("code", "方案编码", "text", 10, lambda b: b.code),
        Column("name", "方案名称", "text", 30, lambda b: b.name),
        Column("version", "版本", "int", 6, lambda b: b.version),
        Column("year", "年度", "int", 6, lambda b: b.year),
        Column("status", "状态", "text", 8, lambda b: b.status),
        Column("indicators", "指标（含各级）", "int", 10, lambda b: b.indicators),
        Column("leaves", "末级指标", "int", 8, lambda b: b.leaves),
        Column("evidence", EVIDENCE, "int", 10, lambda b: b.evidence),
        Column("categories", "各类别适用末级指标", "text", 30, lambda b: b.categories_text),
        Column("rounds", "考核轮次", "int", 8, lambda b: b.rounds),
        Column("deadlines", "截止时间", "int", 8, lambda b: b.deadlines),
        Column("growth", "比上一版本增加", "text", 40, lambda b: b.growth_text),
    ]


def round_burden_columns() -> list[Column]:
    return [
        Column("code", "轮次编码", "text", 10, lambda r: r.code),
        Column("name", "轮次名称", "text", 30, lambda r: r.name),
        Column("scheme", "考核方案", "text", 30, lambda r: r.scheme),
        Column("year", "年度", "int", 6, lambda r: r.year),
        Column("phase", "阶段", "text", 8, lambda r: r.phase),
        Column("targets", "考核对象", "int", 8, lambda r: r.targets),
        Column("leaves", "每个对象最多末级指标", "int", 12, lambda r: r.max_leaves_per_unit),
        Column("evidence", EVIDENCE, "int", 10, lambda r: r.evidence),
        Column("deadlines", "截止时间", "int", 8, lambda r: r.deadlines),
        Column("uploads", "已上传佐证（份）", "int", 10, lambda r: r.uploads),
    ]


def round_unit_columns() -> list[Column]:
    return [
        Column("org_code", "组织编码", "text", 10, lambda u: u.org_code),
        Column("org_name", "组织名称", "text", 30, lambda u: u.org_name),
        Column("category", "类别", "text", 10, lambda u: u.category),
        Column("leaves", "适用末级指标", "int", 10, lambda u: u.leaves),
        Column("evidence", EVIDENCE, "int", 10, lambda u: u.evidence),
        Column("deadlines", "截止时间", "int", 8, lambda u: u.deadlines),
        Column("uploads", "本年度已上传佐证（份）", "int", 12, lambda u: u.uploads),
        Column("cited", "本轮自评引用佐证（份）", "int", 12, lambda u: u.cited),
    ]


def unit_year_columns() -> list[Column]:
    return [
        Column("year", "年度", "int", 6, lambda u: u.year),
        Column("org_code", "组织编码", "text", 10, lambda u: u.org_code),
        Column("org_name", "组织名称", "text", 30, lambda u: u.org_name),
        Column("rounds", "参加考核轮次", "int", 10, lambda u: u.rounds),
        Column("leaves", "末级指标合计", "int", 10, lambda u: u.leaves),
        Column("evidence", f"{EVIDENCE}合计", "int", 10, lambda u: u.evidence),
        Column("deadlines", "截止时间合计", "int", 10, lambda u: u.deadlines),
        Column("uploads", "本年度已上传佐证（份）", "int", 12, lambda u: u.uploads),
    ]
