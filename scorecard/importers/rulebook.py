"""Published rulebook (考核细则) tables, converted from Word/PDF to Excel.

What is understood (DESIGN §3 "Spreadsheet formats"):

* title rows above the header ("附件1", "2025年度机关党建工作考核细则");
* a header row recognised by synonyms (目标/类别/一级指标 …, 考核项目/二级指标 …, 三级指标,
  考核内容/工作要求, 评分标准/评分说明 …, 分值/标准分 …, 考核方式/考评方式); other columns
  (序号, 自查分, 考核分, 得分, 备注 …) are ignored;
* first levels either in their own column (usually merged over their rows, or left blank
  below the first row) or as full-width section rows ("一、政治建设（20分）");
* second levels in their own column, optionally third levels; a second level merged over
  several third levels groups them;
* points in their own column or inside the name ("好的班子（16分）", "(2.5分)");
* numbering prefixes ("一、", "1.", "（一）") stripped from names;
* blank separator rows, 小计 rows, and a 合计/总计/总分 row that ends the table.

Codes are generated from the tree: "1", "1.1", "1.1.1". Leaves are `direct` with their
评分标准 kept verbatim as rule text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from scorecard.importers.common import (
    FORMULA_MESSAGE,
    ImportFailed,
    ImportIssue,
    IssueCollector,
    cell_number,
    clean_text,
    decimal_places,
    format_decimal,
    header_key,
    is_blank,
    is_formula,
    row_value,
    split_list,
)
from scorecard.importers.parsed_scheme import ParsedIndicator, ParsedScheme, default_tiers, sheet_rows

HEADER_SEARCH_ROWS = 15
MAX_MERGED_CELLS = 1_000_000

L1, L12, L2, L3 = "level1", "level1or2", "level2", "level3"
CONTENT, RULE, POINTS, METHODS = "content", "rule", "points", "methods"
NAME_CLASSES = (L1, L12, L2, L3, CONTENT)

HEADER_CLASSES: dict[str, str] = {}
for _cls, _names in {
    L1: ["目标", "类别", "一级指标", "项目", "考核类别", "考核维度"],
    L12: ["考核项目", "考评项目"],
    L2: ["二级指标", "考核要点", "考核指标", "考核细目"],
    L3: ["三级指标", "具体指标"],
    CONTENT: ["考核内容", "工作要求", "考核要求", "工作内容", "考评内容", "内容", "具体内容", "主要内容"],
    RULE: ["评分标准", "评分说明", "评分要点", "评分细则", "计分办法", "评分办法", "扣分标准", "计分标准",
           "考核标准", "评分方法", "评分依据", "扣分细则"],
    POINTS: ["分值", "标准分", "分数", "权重", "满分", "标准分值", "基本分"],
    METHODS: ["考核方式", "考评方式", "考核方法", "考评方法"],
}.items():
    for _name in _names:
        HEADER_CLASSES[header_key(_name)] = _cls

# sub-headers under a merged 分值 header: which level each points column belongs to
LEVEL_HINTS = {"一级": 0, "一级指标": 0, "一级分值": 0, "二级": 1, "二级指标": 1, "二级分值": 1,
               "三级": 2, "三级指标": 2, "三级分值": 2}
TOTAL_WORDS = {"合计", "总计", "总分", "合计分", "总分值", "分值合计", "合计分值"}
SUBTOTAL_WORDS = {"小计"}

NO_HEADER_MESSAGE = "未找到表头：需要包含“考核项目/二级指标”和“分值”等列"

_CN = "一二三四五六七八九十百零〇"
_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
POINTS_IN_NAME = re.compile(
    r"[（(]\s*(?:满分|共|计|合计)?\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*分\s*[）)]")
NUMBERING = re.compile(
    r"^\s*(?:"
    r"[（(]\s*[" + _CN + r"0-9０-９]+\s*[）)]\s*[、.．]?"
    r"|[" + _CN + r"]+\s*[、.．]"
    r"|[0-9０-９]+(?:[.．][0-9０-９]+)*\s*[、.．](?![0-9０-９])"
    r"|[0-9]+(?:\.[0-9]+)+(?=\s)"
    r"|[0-9０-９]+\s*[）)]"
    r"|[①-⑳]"
    r")\s*")
CN_NUMERAL_ONLY = re.compile(r"^\s*[" + _CN + r"]+\s*[、.．]?\s*$")
SECTION_PREFIX = re.compile(r"^\s*[" + _CN + r"]+\s*[、.．]")
ATTACHMENT = re.compile(r"^\s*(附件|附表)\s*[0-9０-９" + _CN + r"]*\s*[:：]?\s*$")
TITLE_WORDS = ("考核", "考评", "细则", "评分", "标准", "评价", "办法", "指标")


@dataclass
class Roles:
    level1: int | None
    level2: int
    level3: int | None
    content: int | None
    rule: int | None
    points: int | None  # the items' points column
    methods: int | None
    level2_class: str
    points_columns: list[int] = field(default_factory=list)
    points_hints: dict[int, int] = field(default_factory=dict)  # points column → depth, from a sub-header
    group_points: dict[int, int] = field(default_factory=dict)  # depth → points column of a group level

    def __post_init__(self) -> None:
        """Each 分值 column belongs to the nearest name column on its left: "一级指标 | 分值 |
        二级指标 | 分值" gives the first levels and the items their own points columns."""
        if not self.points_columns:
            self.points_columns = [self.points] if self.points is not None else []
        levels = [(d, c) for d, c in ((0, self.level1), (1, self.level2), (2, self.level3)) if c is not None]
        leaf_depth = levels[-1][0]
        by_depth: dict[int, int] = {}
        depths = {d for d, _ in levels}
        for column in self.points_columns:
            left = [(c, d) for d, c in levels if c < column]
            depth = max(left)[1] if left else leaf_depth
            hint = self.points_hints.get(column)
            if hint is not None:
                depth = hint if hint in depths else leaf_depth
            by_depth.setdefault(depth, column)
        self.points = by_depth.pop(leaf_depth, None)
        if self.points is None and not by_depth and self.points_columns:
            self.points = self.points_columns[0]
        self.group_points = by_depth

    def regrouped(self) -> "Roles":
        """考核项目 as the first level and 考核内容 as the items (see should_regroup)."""
        return Roles(self.level2, self.content, None, None, self.rule, None, self.methods, CONTENT,
                     list(self.points_columns), dict(self.points_hints))


@dataclass
class _Node:
    name: str
    raw: str
    row: int
    column: int  # 1-based, for messages
    parent: "_Node | None"
    name_points: Decimal | None = None
    group_points: Decimal | None = None  # from a first-level (or second-level) 分值 column
    points: list[Decimal] = field(default_factory=list)
    points_merged_row: int | None = None
    points_invalid: bool = False  # a points cell was there but refused (already reported)
    content: list[str] = field(default_factory=list)
    rule: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    children: list["_Node"] = field(default_factory=list)
    first_level: bool = False  # declared as a first level (column or section row)
    own_data: bool = False
    code: str = ""
    total: Decimal | None = None


# --- header --------------------------------------------------------------------------

def classify_header(values) -> dict[int, str]:
    classes: dict[int, str] = {}
    for index, value in enumerate(values):
        if is_formula(value) or not isinstance(value, str):
            continue
        cls = HEADER_CLASSES.get(header_key(value))
        if cls is not None:
            classes[index] = cls
    return classes


def assign_roles(classes: dict[int, str], points_hints: dict[int, int] | None = None) -> Roles | None:
    def first(*wanted, exclude=()):
        for index in sorted(classes):
            if classes[index] in wanted and index not in exclude:
                return index
        return None

    level1 = first(L1)
    if level1 is None:
        named = [i for i in sorted(classes)]
        first_named = named[0] if named else None
        if (first_named is not None and classes[first_named] == CONTENT
                and any(classes[i] in (L12, L2, L3, CONTENT) for i in named if i > first_named)):
            level1 = first_named  # "考核内容" as the first column names the first level
        else:
            candidate = first(L12)
            if candidate is not None and any(classes[i] in (L12, L2) for i in named if i > candidate):
                level1 = candidate
    used = {level1} if level1 is not None else set()
    level2 = first(L2, L12, exclude=used)
    level2_class = classes.get(level2, "") if level2 is not None else ""
    level3 = first(L3)
    content = first(CONTENT, exclude=used)
    if level2 is None:
        if content is not None:
            level2, level2_class, content = content, CONTENT, None
        elif level3 is not None:
            level2, level2_class, level3 = level3, L3, None
        elif level1 is not None:
            level2, level2_class, level1 = level1, L1, None
    rule, methods = first(RULE), first(METHODS)
    points_columns = [i for i in sorted(classes) if classes[i] == POINTS]
    if level2 is None or (not points_columns and rule is None):
        return None
    return Roles(level1, level2, level3, content, rule, None, methods, level2_class, points_columns,
                 dict(points_hints or {}))


# --- text helpers --------------------------------------------------------------------

def split_name(text: str) -> tuple[str, Decimal | None]:
    """"一、政治建设（20分）" → ("政治建设", Decimal("20"))."""
    points = None
    match = POINTS_IN_NAME.search(text)
    if match:
        points = Decimal(match.group(1).translate(_DIGITS))
        text = text[:match.start()] + " " + text[match.end():]
    text = NUMBERING.sub("", text, count=1)
    text = " ".join(text.split())
    return text.strip(" :：、,，;；"), points


def multiline(value) -> str:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return clean_text(value)


class _Grid:
    """Cell values plus what merged ranges mean for each cell."""

    def __init__(self, ws, rows: list[tuple]):
        self.rows = rows
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        self.span: dict[tuple[int, int], int] = {}
        height, width = len(rows), max((len(r) for r in rows), default=0)
        budget = MAX_MERGED_CELLS
        for rng in ws.merged_cells.ranges:
            top, left = rng.min_row, rng.min_col
            if top > height or left > width:
                continue
            self.span[(top, left)] = min(rng.max_col, width) - left + 1
            for r in range(top, min(rng.max_row, height) + 1):
                for c in range(left, min(rng.max_col, width) + 1):
                    if (r, c) != (top, left):
                        self.covered[(r, c)] = (top, left)
                budget -= width
                if budget < 0:
                    raise ImportFailed([ImportIssue("合并单元格过多，无法识别表格结构", ws.title)])

    def cell(self, row: int, index: int | None):
        """(value, kind) of 1-based row and 0-based column; kind is "explicit", "blank",
        "merged" (below the anchor of a vertical merge, value = the anchor's) or "covered"."""
        if index is None:
            return None, "blank"
        anchor = self.covered.get((row, index + 1))
        if anchor is not None:
            top, left = anchor
            if left == index + 1 and top < row:
                value = row_value(self.rows[top - 1], index)
                return (None, "blank") if is_blank(value) else (value, "merged")
            return None, "covered"
        value = row_value(self.rows[row - 1], index)
        return (None, "blank") if is_blank(value) else (value, "explicit")

    def explicit(self, row: int) -> list[tuple[int, object]]:
        return [(i, v) for i, v in enumerate(self.rows[row - 1])
                if not is_blank(v) and (row, i + 1) not in self.covered]


# --- the parser ----------------------------------------------------------------------

def parse_rulebook_workbook(wb) -> ParsedScheme:
    ws = None
    rows: list[tuple] = []
    for title in wb.sheetnames:
        candidate = wb[title]
        candidate_rows = sheet_rows(candidate)
        if any(not is_blank(v) for r in candidate_rows for v in r):
            ws, rows = candidate, candidate_rows
            break
    if ws is None:
        raise ImportFailed([ImportIssue("工作簿中没有任何内容")])
    sheet = ws.title
    grid = _Grid(ws, rows)
    header_row, roles, classes = None, None, {}
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        classes = classify_header(values)
        found = assign_roles(classes)
        if found is not None:
            header_row, roles = index + 1, found
            break
    if roles is None:
        raise ImportFailed([ImportIssue(NO_HEADER_MESSAGE, sheet)])
    title = _title(grid, header_row)
    if header_row < len(rows):
        two_rows = _two_row_header(grid, header_row, classes)
        if two_rows is not None:
            header_row, roles = header_row + 1, two_rows

    parser = _RulebookParser(grid, sheet, header_row, roles)
    parser.run()
    if parser.should_regroup():
        # "考核项目 | 考核内容 | …" with 考核项目 merged over its rows: 考核项目 is the first
        # level and 考核内容 names the items.
        parser = _RulebookParser(grid, sheet, header_row, roles.regrouped())
        parser.run()
    return parser.result(title)


def _two_row_header(grid: _Grid, header_row: int, upper: dict[int, str]) -> Roles | None:
    """Roles from a header spread over two rows ("考核指标" over "一级指标 | 二级指标", "分值"
    over "一级 | 二级"), or None when the row below the header is not a sub-header."""
    spread = dict(upper)
    for (row, left), width in grid.span.items():
        if row == header_row and left - 1 in upper:
            for index in range(left, left + width - 1):
                spread.setdefault(index, upper[left - 1])
    lower = grid.rows[header_row]
    filled = [(i, v) for i, v in enumerate(lower) if not is_blank(v)]
    if not filled or any(not isinstance(v, str) or is_formula(v) for _, v in filled):
        return None
    lower_classes = classify_header(lower)
    hints = {i: LEVEL_HINTS[header_key(v)] for i, v in filled
             if spread.get(i) == POINTS and header_key(v) in LEVEL_HINTS}
    if not lower_classes and not hints:
        return None
    if 2 * (len(set(lower_classes) | set(hints))) < len(filled):
        return None
    combined = dict(spread)
    for index, cls in lower_classes.items():
        if spread.get(index) != POINTS:
            combined[index] = cls
    return assign_roles(combined, hints)


def _title(grid: _Grid, header_row: int) -> str | None:
    texts = []
    for number in range(1, header_row):
        cells = [clean_text(v) for _, v in grid.explicit(number) if isinstance(v, str) and not is_formula(v)]
        text = " ".join(c for c in cells if c)
        if text and not ATTACHMENT.match(text):
            texts.append(text)
    for text in texts:
        if any(word in text for word in TITLE_WORDS):
            return text
    return texts[0] if texts else None


class _RulebookParser:
    def __init__(self, grid: _Grid, sheet: str, header_row: int, roles: Roles):
        self.grid, self.sheet, self.header_row, self.roles = grid, sheet, header_row, roles
        self.issues = IssueCollector()
        self.roots: list[_Node] = []
        self.path: list[_Node | None] = [None, None, None]
        self.last_target: _Node | None = None
        self.saw_section = False
        self.grouped_level2_rows = 0
        self.declared_total: Decimal | None = None
        self.levels: list[tuple[int, int]] = []  # (depth, column)
        if roles.level1 is not None:
            self.levels.append((0, roles.level1))
        self.levels.append((1, roles.level2))
        if roles.level3 is not None:
            self.levels.append((2, roles.level3))

    # -- helpers
    def add(self, message, row=None, column_index=None):
        self.issues.add(message, self.sheet, row, column_index + 1 if column_index is not None else None)

    def new_node(self, depth: int, value, row: int, column: int) -> _Node:
        raw = clean_text(value)
        name, points = split_name(raw)
        if not name:
            name = raw
            self.add("名称为空（只写了分值），请填写考核项目名称", row, column)
        parent = next((n for n in reversed(self.path[:depth]) if n is not None), None)
        node = _Node(name=name, raw=raw, row=row, column=column + 1, parent=parent, name_points=points)
        (parent.children if parent is not None else self.roots).append(node)
        self.path[depth] = node
        for deeper in range(depth + 1, len(self.path)):
            self.path[deeper] = None
        return node

    # -- rows
    def run(self) -> None:
        for number in range(self.header_row + 1, len(self.grid.rows) + 1):
            if self.total_row(number):
                break
            self.row(number)

    def total_row(self, number: int) -> bool:
        for index, value in self.grid.explicit(number):
            if not isinstance(value, str) or is_formula(value):
                continue
            key = header_key(value)
            if key in SUBTOTAL_WORDS:
                return False
            if key in TOTAL_WORDS:
                declared, kind = self.grid.cell(number, self.roles.points)
                total = None
                if kind == "explicit" and not is_formula(declared):
                    try:
                        total = cell_number(_strip_fen(declared))
                    except ValueError:
                        total = None
                if total is None:
                    total = split_name(clean_text(value))[1]
                self.declared_total = total
                return True
        return False

    def is_subtotal(self, number: int) -> bool:
        return any(isinstance(v, str) and header_key(v) in SUBTOTAL_WORDS for _, v in self.grid.explicit(number))

    def section_row(self, number: int):
        """(column, text) when the row is a first-level section row such as a full-width
        "一、政治建设（20分）", else None. Only used when there is no first-level column."""
        cells = self.grid.explicit(number)
        texts = [(i, v) for i, v in cells if not _is_number(v)]
        numbers = [(i, v) for i, v in cells if _is_number(v)]
        level2 = self.roles.level2
        if any(i != self.roles.points for i, _ in numbers):
            return None
        numbered = False
        if len(texts) == 2:
            # "一 | 政治建设 | | 20": a Chinese numeral in a column left of the names
            (i0, v0), (i1, v1) = texts
            if i0 < level2 and i1 == level2 and CN_NUMERAL_ONLY.match(str(v0)):
                texts, numbered = [(i1, v1)], True
        if len(texts) != 1:
            return None
        index, value = texts[0]
        if is_formula(value) or index > level2:
            return None
        span = self.grid.span.get((number, index + 1), 1)
        if numbered or index < level2 or span >= 2 or SECTION_PREFIX.match(str(value)):
            return index, value
        return None

    def relevant(self):
        r = self.roles
        columns = (r.level1, r.level2, r.level3, r.content, r.rule, r.points, r.methods, *r.group_points.values())
        return [c for c in columns if c is not None]

    def row(self, number: int) -> None:
        grid, roles = self.grid, self.roles
        if self.is_subtotal(number):
            return
        section = self.section_row(number) if roles.level1 is None else None
        if section is not None:
            self.saw_section = True
            index, value = section
            node = self.new_node(0, value, number, index)
            node.first_level = True
            points, kind = grid.cell(number, roles.points)
            if kind == "explicit":
                number_value = self.points_value(points, number)
                if number_value is not None:
                    node.points.append(number_value)
            self.last_target = node
            return
        if all(grid.cell(number, c)[1] != "explicit" for c in self.relevant()):
            return

        changed = False
        target: _Node | None = None
        continuation: str | None = None  # "merged" or "blank" when the row continues the last item
        for position, (depth, column) in enumerate(self.levels):
            value, kind = grid.cell(number, column)
            is_leaf_level = position == len(self.levels) - 1
            current = self.path[depth]
            if is_formula(value):
                self.add(FORMULA_MESSAGE, number, column)
                return
            if kind == "explicit":
                text = clean_text(value)
                repeated = not changed and current is not None and text == current.raw
                if repeated and depth == 1:
                    self.grouped_level2_rows += 1
                if repeated and not is_leaf_level:
                    node = current
                else:
                    node = self.new_node(depth, value, number, column)
                    node.first_level = depth == 0
                    self.read_group_points(node, depth, number)
                    changed = True
                target = node
            elif kind == "merged":
                if not changed and current is not None:
                    target = current
                    if depth == 1:
                        self.grouped_level2_rows += 1
                    if is_leaf_level:
                        continuation = "merged"
                else:
                    node = self.new_node(depth, value, number, column)
                    node.first_level = depth == 0
                    self.read_group_points(node, depth, number)
                    changed = True
                    target = node
            else:  # blank or covered
                if changed:
                    break
                if is_leaf_level:
                    continuation = "blank"
                    if depth == 1 and roles.content is not None and grid.cell(number, roles.content)[1] == "explicit":
                        self.grouped_level2_rows += 1
                    break
                if current is not None:
                    target = current
        if continuation is not None:
            target = self.last_target
        if target is None:
            if self.row_has_data(number):
                self.add("该行缺少考核项目名称", number, roles.level2)
            return
        self.attach(target, number, continuation)
        self.last_target = target

    def row_has_data(self, number: int) -> bool:
        r = self.roles
        return any(self.grid.cell(number, c)[1] == "explicit" for c in (r.content, r.rule, r.points))

    def read_group_points(self, node: _Node, depth: int, number: int) -> None:
        column = self.roles.group_points.get(depth)
        value, kind = self.grid.cell(number, column)
        if kind != "explicit":
            return
        node.own_data = True
        points = self.points_value(value, number, column)
        if points is None:
            node.points_invalid = True
        else:
            node.group_points = points

    def points_value(self, value, number: int, column: int | None = None) -> Decimal | None:
        column = self.roles.points if column is None else column
        if is_formula(value):
            self.add(FORMULA_MESSAGE, number, column)
            return None
        try:
            result = cell_number(_strip_fen(value), "分值")
        except ValueError as exc:
            self.add(str(exc), number, column)
            return None
        if result is None:
            return None
        if result < 0:
            self.add(f"分值不能为负数（当前{format_decimal(result)}）", number, column)
            return None
        if decimal_places(result) > 2:
            self.add(f"分值最多保留两位小数（当前{format_decimal(result)}）", number, column)
            return None
        return result

    def text(self, number: int, column: int | None, continuation: str | None):
        value, kind = self.grid.cell(number, column)
        if kind == "explicit" or (kind == "merged" and continuation is None):
            if is_formula(value):
                self.add(FORMULA_MESSAGE, number, column)
                return None
            return multiline(value)
        return None

    def attach(self, node: _Node, number: int, continuation: str | None) -> None:
        roles = self.roles
        for column, parts in ((roles.content, node.content), (roles.rule, node.rule)):
            text = self.text(number, column, continuation)
            if text and (not parts or parts[-1] != text):
                parts.append(text)
                node.own_data = True
        methods = self.text(number, roles.methods, continuation)
        if methods:
            for method in split_list(methods):
                if method not in node.methods:
                    node.methods.append(method)
        value, kind = self.grid.cell(number, roles.points)
        if kind == "explicit":
            if continuation == "blank":
                self.add("该行有分值但缺少考核项目名称", number, roles.level2)
                return
            points = self.points_value(value, number)
            node.own_data = True
            if points is not None:
                node.points.append(points)
            else:
                node.points_invalid = True
        elif kind == "merged" and continuation is None and node.points_merged_row is None:
            node.points_merged_row = number

    # -- regrouping
    def should_regroup(self) -> bool:
        r = self.roles
        return (r.level1 is None and not self.saw_section and r.level2_class == L12
                and r.content is not None and r.content > r.level2 and r.level3 is None
                and self.grouped_level2_rows > 0)

    # -- result
    def result(self, title: str | None) -> ParsedScheme:
        issues = self.issues
        if not self.roots and not issues:
            self.add("未读取到任何考核项目，请检查表头下方的内容", self.header_row + 1)
        indicators: list[ParsedIndicator] = []
        for index, node in enumerate(self.roots, start=1):
            self.finish(node, str(index), None, indicators)
        total = sum((n.total for n in self.roots if n.total is not None), Decimal(0))
        issues.fail_if_any()
        settings: dict = {}
        if self.declared_total is not None and self.declared_total != total:
            settings["declared_total"] = self.declared_total
        return ParsedScheme("rulebook", title, indicators, [], default_tiers(), settings)

    def finish(self, node: _Node, code: str, parent_code: str | None, out: list[ParsedIndicator]) -> None:
        node.code = code
        leaf = not node.children
        position = len(out)
        column_points = sum(node.points, Decimal(0)) if node.points else None
        if leaf:
            if node.first_level and node.parent is None and not node.own_data:
                self.add(f"一级指标“{node.name}”下没有考核项目", node.row, node.column - 1)
            node.total = next((p for p in (column_points, node.group_points, node.name_points) if p is not None), None)
            if node.total is None and not node.points_invalid and not (node.first_level and not node.own_data):
                if node.points_merged_row is not None:
                    self.add(f"“{node.name}”的分值单元格与其他行合并，无法确定该项分值，请为每一项分别填写分值",
                             node.row, self.roles.points)
                else:
                    self.add(f"“{node.name}”缺少分值", node.row,
                             self.roles.points if self.roles.points is not None else node.column - 1)
        out.append(None)  # placeholder keeps pre-order
        for index, child in enumerate(node.children, start=1):
            self.finish(child, f"{code}.{index}", code, out)
        if not leaf:
            children = [c.total for c in node.children]
            declared = next((p for p in (node.name_points, node.group_points, column_points) if p is not None), None)
            if declared is not None:
                node.total = declared
            elif all(c is not None for c in children):
                node.total = sum(children, Decimal(0))
        out[position] = ParsedIndicator(
            row=node.row, code=code, parent_code=parent_code, name=node.name,
            max_points=node.total if node.total is not None else Decimal(0),
            content="\n".join(node.content), rule_text="\n".join(node.rule),
            methods=list(node.methods), categories=[],
            rule_type="direct" if leaf else "", params={}, evidence_hint="",
        )


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


_FEN = re.compile(r"^\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*分\s*$")


def _strip_fen(value):
    """"5分" → "5" (points typed with their unit)."""
    if isinstance(value, str):
        match = _FEN.match(value)
        if match:
            return match.group(1)
    return value
