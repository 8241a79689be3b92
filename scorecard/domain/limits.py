"""How long a text a user types may be: the one table every service that stores free text
checks against (services/limits.check_length) and every form input shows (maxlength, the
Jinja global `limits`). A refusal names the field in Chinese; nothing is stored."""
from __future__ import annotations

COMMENT = 2000       # an assessor's score comment, a review's confirm comment
REASON = 2000        # deduction/return/reopen/adjustment/veto/override/decision reasons, appeal text
DEDUCTION = 500      # one deduction's reason (扣分原因) inside a score's input
NARRATIVE = 10000    # 工作情况说明 of a self-assessment item
TITLE = 200          # evidence and nomination titles
DESCRIPTION = 4000   # nomination description, verification findings
TEAM = 500           # 核验组成员

LIMITS = {"comment": COMMENT, "reason": REASON, "deduction": DEDUCTION, "narrative": NARRATIVE,
          "title": TITLE, "description": DESCRIPTION, "team": TEAM}


def length_error(text: str, label: str, limit: int) -> str | None:
    """The Chinese refusal when text (already stripped) is longer than limit, else None."""
    if len(text) > limit:
        return f"{label}不能超过{limit}个字符（当前{len(text)}个）"
    return None
