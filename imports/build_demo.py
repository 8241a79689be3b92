"""Build the demo workbooks in imports/ (示例数据).

Run:  /work/venv/bin/python imports/build_demo.py

Deterministic: one ``random.Random(2025)``, Decimal arithmetic, and the .xlsx files are
re-zipped with fixed timestamps, so two runs produce byte-identical files.

Writes demo_orgs.xlsx, demo_scheme.xlsx, demo_scores_a.xlsx (考核员甲), demo_scores_b.xlsx
(考核员乙). Scores are generated per leaf from a state that follows the leaf's 计分类型
(deductions with reasons, counts, levels, actual/target, votes, tasks), so every number can be
explained by the rule written beside it.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import random
import re
import sys
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.dont_write_bytecode = True  # keep imports/ free of __pycache__

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo_source as src  # noqa: E402

OUT = Path(__file__).resolve().parent
D = Decimal
FULL = D(100)
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)
ROUND_TITLE = "评分表：2025年度州直机关党建考核（示例数据）"
ASSESSORS = {"a": "考核员甲", "b": "考核员乙"}


def q2(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def num(x):
    """Decimal -> int or float for openpyxl (at most 2 decimals, exact repr)."""
    x = q2(D(x)) if not isinstance(x, int) else D(x)
    return int(x) if x == x.to_integral_value() else float(x)


# --------------------------------------------------------------------------- scheme model
class Leaf:
    def __init__(self, row):
        (self.code, self.name, pts, self.content, self.rule, self.methods, cats,
         self.type, self.param, self.hint) = row
        self.max = D(pts)
        self.cats = set(cats.split("、")) if cats else None
        self.per = self.lo = self.hi = self.target = None
        self.levels = []
        for part in filter(None, self.param.split(",")):
            key, val = part.split("=")
            if key == "每次":
                self.per = D(val)
            elif key == "范围":
                self.lo, self.hi = (D(v) for v in val.split("-"))
            elif key == "目标":
                self.target = D(val)
            elif val.endswith("%"):
                self.levels.append((key, D(val[:-1]) / 100))
            else:
                self.levels.append((key, D(val)))

    @property
    def header(self):
        return f"{self.code} {self.name}"

    def applies(self, category):
        return self.cats is None or category in self.cats


LEAVES = [Leaf(r) for r in src.LEAVES]
LEAF = {lf.code: lf for lf in LEAVES}


def first_level_points():
    return {c: sum(lf.max for lf in LEAVES if lf.code.split(".")[0] == c)
            for c, _ in src.FIRST_LEVELS}


def applicable_full(category):
    return sum(lf.max for lf in LEAVES if lf.applies(category))


# --------------------------------------------------------------------------- organisations
def stem(name, keep_organ=False):
    """Unit name without its party-body suffix (and without 机关 unless keep_organ)."""
    for suf in ("党委", "党总支", "党支部"):
        if name.endswith(suf):
            name = name[: -len(suf)]
            break
    return name if keep_organ or not name.endswith("机关") else name[:-2]


def build_orgs(rng):
    """Rows (code, name, parent, category, group, kind); parents before children."""
    rows = [(src.ROOT[0], src.ROOT[1], "", "", "", src.ROOT[2])]
    n = 0
    for gi, members in enumerate(src.DIRECT_ORGS):
        for name, cat, kind in members:
            n += 1
            code = f"CJ{n:03d}"
            rows.append((code, name, src.ROOT[0], src.CATEGORIES[cat], src.GROUPS[gi], kind))
            for k, (cname, ckind) in enumerate(children_of(name, kind, rng), start=1):
                rows.append((f"{code}-{k:02d}", cname, code, "", "", ckind))
    return rows


def children_of(name, kind, rng):
    """Branches under a 直属党组织: named ones from demo_source, else 第N党支部 by kind."""
    if name in src.NAMED_CHILDREN:
        return [(stem(name) + child, ckind) for child, ckind in src.NAMED_CHILDREN[name]]
    if kind == "党支部":
        return []
    base = stem(name, keep_organ=True)
    if kind == "党总支":
        k = rng.choice([2, 2, 2, 2, 3])
        return [(f"{base}第{'一二三'[i]}党支部", "党支部") for i in range(k)]
    if kind == "党委":  # enterprise or institution without a 机关党委
        k = rng.choice([1, 2])
        return [(base + child, "党支部") for child in ("机关党支部", "第一党支部")[:k]]
    k = rng.choice([2, 2, 2, 2, 3])  # a 机关党委 has at least two branches
    kids = [(f"{base}第{'一二三'[i]}党支部", "党支部") for i in range(k)]
    if k < 3 and rng.random() < 0.1:
        kids.append((base + "离退休干部党支部", "党支部"))
    return kids


# --------------------------------------------------------------------------- leaf states
# A state is a dict; score() turns it into points by the leaf's rule (the DESIGN §2 oracle).
def score(lf: Leaf, st) -> Decimal:
    t = lf.type
    if t == "扣分":
        return max(D(0), lf.max - sum(a for _, a in st["ded"]))
    if t == "计次":
        return min(lf.max, st["n"] * lf.per)
    if t == "档次":
        return q2(lf.max * lf.levels[st["idx"]][1])
    if t == "定量":
        return min(lf.max, q2(lf.max * st["actual"] / lf.target))
    if t == "达标":
        return lf.max if st["met"] else D(0)
    if t == "测评":
        votes = st["votes"]
        weighted = sum(w * v for (_, w), v in zip(lf.levels, votes))
        return q2(lf.max * weighted / sum(votes))
    if t == "照单考责":
        return q2(lf.max * st["done"] / st["due"]) if st["due"] else lf.max
    return st["value"]  # 直接打分


BANDS = {  # loss band -> (min loss, max loss)
    "small": (1, 9.5), "mid": (10.5, 19.5), "low": (21, 38), "bad": (42, 45),
}
BAND_MIX = {  # per category: how many targets fall in each band
    "党政机关": {"small": 27, "mid": 15, "low": 7, "bad": 4},
    "事业单位": {"small": 10, "mid": 6, "low": 3, "bad": 1},
    "国有企业": {"small": 5, "mid": 3, "low": 2, "bad": 0},
    "医疗卫生": {"small": 4, "mid": 3, "low": 1, "bad": 0},
}
SPREAD = {"small": 0, "mid": 1, "low": 2, "bad": 3}


def initial_state(lf: Leaf, band, rng):
    t, s = lf.type, SPREAD[band]
    if t == "扣分":
        return {"ded": []}
    if t == "计次":
        return {"n": int(lf.max / lf.per)}
    if t == "档次":
        return {"idx": 0}
    if t == "达标":
        return {"met": True}
    if t == "测评":
        n = rng.randint(30, 60)
        b = rng.randint(s * 2, 3 + s * 3) if rng.random() > 0.3 or s else 0
        u = rng.randint(0, s + (1 if s else 0))
        return {"votes": [n - b - u, b, u]}
    if t == "照单考责":
        due = rng.randint(8, 12)
        return {"due": due, "done": due}
    if t == "定量":
        if lf.target == 32:
            return {"actual": D(rng.randint(32, 40))}
        if lf.code == "8.1":
            total = rng.randint(3, 12)
            return {"actual": FULL, "total": total, "done": total}
        if rng.random() < 0.7 - 0.2 * s:
            return {"actual": FULL}
        return {"actual": D(rng.randint(950, 999)) / 10}
    if lf.code == "4.2":  # from the 绩效考核 result: any 2-decimal value
        lo, hi = [(0, 0.3), (0.1, 0.6), (0.3, 1.2), (0.8, 1.8)][s]
        return {"value": q2(lf.max - D(str(round(rng.uniform(lo, hi), 2))))}
    return {"value": lf.max}


def pick_reason(lf: Leaf, st, rng):
    used = {r for r, _ in st["ded"]}
    pool = [r for r in src.REASONS[lf.code] if "{n}" in r or r not in used]
    return rng.choice(pool) if pool else None


def deduction_amount(lf: Leaf, rng):
    if lf.per is not None:
        return lf.per
    if lf.lo is not None:
        return D(rng.choice([1, 1, 1, 2, 2, 3]))
    return D(rng.choice(["0.5", "1"]))


def step(lf: Leaf, st, rng, room, band):
    """One realistic loss on this leaf: (new state, loss) or None."""
    cur, new = score(lf, st), copy.deepcopy(st)
    t = lf.type
    if t == "扣分":
        reason, amt = pick_reason(lf, st, rng), deduction_amount(lf, rng)
        if reason is None or amt > cur:
            return None
        new["ded"].append((reason, amt))
    elif t == "计次":
        if new["n"] == 0:
            return None
        new["n"] -= 1
    elif t == "档次":
        last = len(lf.levels) - 1
        if new["idx"] >= last or (new["idx"] == last - 1 and room < cur):
            return None
        new["idx"] += 1
    elif t == "达标":
        serious = SPREAD[band] >= 2  # only weak units fail a 达标 check outright
        if not new["met"] or room < lf.max * D("0.8") or not serious:
            return None
        new["met"] = False
    elif t == "测评":
        votes = new["votes"]
        k = min(votes[0], rng.randint(2, 5))
        if k <= 0 or votes[0] - k < sum(votes) * 0.6:
            return None
        votes[0] -= k
        votes[rng.choice([1, 1, 2])] += k
    elif t == "照单考责":
        if new["done"] <= new["due"] // 2:
            return None
        new["done"] -= 1
    elif t == "定量":
        if "total" in new:
            if new["done"] <= new["total"] // 2:
                return None
            new["done"] -= 1
            new["actual"] = D(new["done"] * 100) / new["total"]
        elif lf.target == 32:
            if new["actual"] > 32:
                new["actual"] = D(32)
            new["actual"] -= rng.choice([2, 3, 4])
            if new["actual"] < 16:
                return None
        else:
            new["actual"] = min(new["actual"], FULL) - D(rng.randint(20, 60)) / 10
            if new["actual"] < 60:
                return None
    else:  # 直接打分
        amt = D(rng.choice(["0.5", "0.5", "1"]))
        if cur - amt < 0:
            return None
        new["value"] = cur - amt
    loss = cur - score(lf, new)
    return (new, loss) if loss > 0 else None


WEIGHTS = {"扣分": 3, "直接打分": 2, "档次": 2, "计次": 1.5, "定量": 1.5,
           "照单考责": 1.5, "测评": 1, "达标": 0.7}


def generate_target(category, band, rng):
    leaves = [lf for lf in LEAVES if lf.applies(category)]
    states = {lf.code: initial_state(lf, band, rng) for lf in leaves}
    lo, hi = BANDS[band]
    target = D(str(round(rng.uniform(lo, hi), 1)))
    loss = sum(lf.max - score(lf, states[lf.code]) for lf in leaves)
    for _ in range(400):
        room = target - loss
        if room <= D("0.2"):
            break
        options = []
        for lf in leaves:
            res = step(lf, states[lf.code], rng, room, band)
            if res and res[1] <= room + D("0.6"):
                options.append((WEIGHTS[lf.type], lf, res))
        if not options:
            break
        _, lf, (new, delta) = rng.choices(options, weights=[w for w, _, _ in options])[0]
        states[lf.code], loss = new, loss + delta
    return states


# --------------------------------------------------------------------------- assessor B
def nudge(lf: Leaf, st, rng):
    """Assessor B's different view of one cell: a new state differing by 0.5-1 point."""
    cur, new, t = score(lf, st), copy.deepcopy(st), lf.type
    if t == "扣分":
        ded = new["ded"]
        if ded and rng.random() < 0.5:
            i = rng.randrange(len(ded))
            reason, amt = ded[i]
            if lf.lo is not None and amt > lf.lo:
                ded[i] = (reason, amt - 1)
            elif amt <= 1:
                ded.pop(i)
        else:
            reason = pick_reason(lf, st, rng)
            amt = lf.per if lf.per is not None else D(rng.choice(["0.5", "1"]) if lf.lo is None else 1)
            if reason and amt <= cur:
                ded.append((reason, amt))
    elif t == "计次" and lf.per <= 1:
        new["n"] += rng.choice([-1, 1])
        if not 0 <= new["n"] * lf.per <= lf.max:
            return None
    elif t == "档次":
        new["idx"] += rng.choice([-1, 1])
        if not 0 <= new["idx"] < len(lf.levels):
            return None
    elif t == "直接打分":
        new["value"] = cur + rng.choice([-1, 1]) * D(rng.choice(["0.5", "1"]))
        if not 0 <= new["value"] <= lf.max:
            return None
    else:
        return None
    diff = abs(score(lf, new) - cur)
    return new if D("0.5") <= diff <= 1 else None


def assessor_b(targets, rng, share=0.1):
    for tg in targets:
        tg["b"] = copy.deepcopy(tg["a"])
        for code, st in tg["a"].items():
            if rng.random() < share:
                new = nudge(LEAF[code], st, rng)
                if new is not None:
                    tg["b"][code] = new


# --------------------------------------------------------------------------- totals and ties
def leaf_final(tg, code):
    lf = LEAF[code]
    return q2((score(lf, tg["a"][code]) + score(lf, tg["b"][code])) / 2)


def totals(tg):
    base = sum(leaf_final(tg, c) for c in tg["a"])
    full = applicable_full(tg["category"])
    return base if full == FULL else q2(base * FULL / full)


def subtotal(tg, first):
    return sum(leaf_final(tg, c) for c in tg["a"] if c.split(".")[0] == first)


def shift_42(tg, delta):
    """Move leaf 4.2 (绩效考核 result, a free 2-decimal value) by delta for both assessors."""
    new = {k: tg[k]["4.2"]["value"] + delta for k in ("a", "b")}
    if all(D(0) <= v <= LEAF["4.2"].max for v in new.values()):
        for k, v in new.items():
            tg[k]["4.2"]["value"] = v
        return True
    return False


def equalise(x, y):
    """Make y's total equal x's by moving y's 4.2 (both in a category without 折算)."""
    for _ in range(3):
        gap = totals(x) - totals(y)
        if gap == 0:
            return True
        if not shift_42(y, gap):
            return False
    return totals(x) == totals(y)


def force_ties(targets):
    """Ties the ranking must handle: at the 好 quota boundary, a full tie, a tie in 事业单位."""
    notes, used = [], set()

    def by_cat(category):
        return sorted((t for t in targets if t["category"] == category),
                      key=lambda t: (-totals(t), t["code"]))

    party = by_cat("党政机关")
    quota = len(party) * 20 // 100
    x, y = party[quota - 1], party[quota]
    if equalise(x, y) or equalise(y, x):
        notes.append(("quota-boundary", x["code"], y["code"]))
        used |= {x["code"], y["code"]}
    for i in range(len(party) - 1):
        x, y = party[i], party[i + 1]
        if not (80 <= totals(x) < 89) or {x["code"], y["code"]} & used:
            continue
        saved = copy.deepcopy((y["a"], y["b"]))
        for k in ("a", "b"):
            for code in y[k]:
                if code.split(".")[0] in ("1", "2"):
                    y[k][code] = copy.deepcopy(x[k][code])
        if equalise(x, y):
            notes.append(("full-tie", x["code"], y["code"]))
            break
        y["a"], y["b"] = saved
    inst = by_cat("事业单位")
    pairs = sorted(range(len(inst) - 1), key=lambda i: totals(inst[i]) - totals(inst[i + 1]))
    for i in pairs:
        if totals(inst[i]) != totals(inst[i + 1]) and equalise(inst[i], inst[i + 1]):
            notes.append(("tie", inst[i]["code"], inst[i + 1]["code"]))
            break
    return notes


def build_targets(org_rows, rng):
    targets = [{"code": r[0], "name": r[1], "category": r[3]} for r in org_rows if r[3]]
    for cat, mix in BAND_MIX.items():
        bands = [b for b, k in mix.items() for _ in range(k)]
        rng.shuffle(bands)
        group = [t for t in targets if t["category"] == cat]
        for i, tg in enumerate(group):  # seed-named bodies swap into a strong band
            if tg["name"] in src.SEED_NAMED and bands[i] not in ("small", "mid"):
                j = next(j for j, b in enumerate(bands) if b in ("small", "mid")
                         and group[j]["name"] not in src.SEED_NAMED)
                bands[i], bands[j] = bands[j], bands[i]
        assert len(group) == len(bands), (cat, len(group), len(bands))
        for tg, band in zip(group, bands):
            tg["band"] = band
            tg["a"] = generate_target(cat, band, rng)
    assessor_b(targets, rng)
    return targets, force_ties(targets)


def remarks(states):
    parts = []
    for lf in LEAVES:
        st = states.get(lf.code)
        if st is None:
            continue
        if lf.type == "扣分" and st["ded"]:
            counts = {}
            for reason, amt in st["ded"]:
                counts.setdefault(reason, []).append(amt)
            for reason, amts in counts.items():
                if "{n}" in reason:
                    parts.append(f"{lf.code}：{reason.format(n=len(amts))}")
                elif lf.per is not None:
                    parts.append(f"{lf.code}：{reason}")
                else:
                    parts.append(f"{lf.code}：{reason}（扣{num(sum(amts))}分）")
        elif lf.type == "达标" and not st["met"]:
            parts.append(f"{lf.code}：{src.CHECK_REASONS[lf.code]}")
    return "；".join(parts)


# --------------------------------------------------------------------------- writing
def bold_header(ws, row=1):
    for cell in ws[row]:
        cell.font = Font(bold=True)


def save(wb, name):
    """Save with fixed document times and zip entry dates: byte-identical on every run."""
    wb.properties.creator = "scorecard 示例数据"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + stamp.encode(), data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type, zi.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            zout.writestr(zi, data)
    (OUT / name).write_bytes(out.getvalue())


def write_orgs(rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "组织"
    ws.append(["编码", "名称", "上级编码", "类别", "片组", "组织类型"])
    for r in rows:
        ws.append(list(r))
    bold_header(ws)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEF", (12, 46, 12, 12, 12, 10)):
        ws.column_dimensions[col].width = width
    note = wb.create_sheet("说明")
    note["A1"] = "示例数据：组织名称取自公开报道，人员均为虚构。"
    note.column_dimensions["A"].width = 60
    save(wb, "demo_orgs.xlsx")


def write_scheme():
    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(["编码", "上级编码", "名称", "分值", "考核内容", "评分标准", "考核方式",
               "适用类别", "计分类型", "计分参数", "佐证提示"])
    points = first_level_points()
    for code, name in src.FIRST_LEVELS:
        ws.append([code, "", name, num(points[code])] + [""] * 7)
        for lf in LEAVES:
            if lf.code.split(".")[0] == code:
                ws.append([lf.code, code, lf.name, num(lf.max), lf.content, lf.rule, lf.methods,
                           "、".join(c for c in src.CATEGORIES.values() if lf.applies(c))
                           if lf.cats else "", lf.type, lf.param, lf.hint])
    bold_header(ws)
    ws.freeze_panes = "D2"
    for col, width in zip("ABCDEFGHIJK", (6, 8, 30, 6, 50, 50, 20, 26, 10, 32, 24)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row[4:6]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    adj = wb.create_sheet("加减分项")
    adj.append(["编码", "名称", "类型", "每项分值", "单项上限"])
    for code, name, kind, each, cap in src.ADJUSTMENTS:
        adj.append([code, name, kind, num(D(each)), num(D(cap))])
    adj.column_dimensions["B"].width = 48
    tiers = wb.create_sheet("等次")
    tiers.append(["等次", "最低分", "名额比例(%)"])
    for name, low, quota in src.TIERS:
        tiers.append([name, low, quota])
    settings = wb.create_sheet("设置")
    settings.append(["项目", "值"])
    for key, value in src.SETTINGS:
        settings.append([key, value])
    settings.column_dimensions["A"].width = 18
    settings.column_dimensions["B"].width = 44
    for sheet in (adj, tiers, settings):
        bold_header(sheet)
    save(wb, "demo_scheme.xlsx")


def write_scores(targets, key):
    wb = Workbook()
    ws = wb.active
    ws.title = "评分"
    width = 3 + len(LEAVES) + 1
    ws.append([ROUND_TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["组织编码", "组织名称", "类别"] + [lf.header for lf in LEAVES] + ["备注"])
    ws.append(["", "满分", ""] + [num(lf.max) for lf in LEAVES] + [""])
    for tg in targets:
        states = tg[key]
        cells = [num(score(lf, states[lf.code])) if lf.code in states else None
                 for lf in LEAVES]
        ws.append([tg["code"], tg["name"], tg["category"]] + cells + [remarks(states)])
    bold_header(ws, 2)
    ws.freeze_panes = "D4"
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 40
    for cell in ws[2][3:-1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 60
    ws.column_dimensions[ws.cell(row=2, column=width).column_letter].width = 60
    save(wb, f"demo_scores_{key}.xlsx")


def main():
    rng = random.Random(2025)
    assert sum(first_level_points().values()) == FULL
    org_rows = build_orgs(rng)
    targets, ties = build_targets(org_rows, rng)
    write_orgs(org_rows)
    write_scheme()
    for key in ASSESSORS:
        write_scores(targets, key)
    print(f"organisations: {len(org_rows)} rows, targets: {len(targets)}")
    by_code = {t["code"]: t for t in targets}
    for kind, x, y in ties:
        tx, ty = by_code[x], by_code[y]
        subs = [f"{c}: {subtotal(tx, c)}/{subtotal(ty, c)}" for c in ("2", "1")]
        print(f"tie ({kind}): {x} = {y} = {totals(tx)}; tie-break {', '.join(subs)}")


if __name__ == "__main__":
    main()
