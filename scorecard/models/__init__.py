"""All models; importing this module registers every table on Base.metadata."""
from .accounts import ROLES, PasswordHistory, User
from .audit import AuditEntry
from .base import Base, utcnow
from .orgs import Category, OrgGroup, Organisation
from .rounds import PHASE_ORDER, PHASES, Adjustment, Round, RoundTarget, Score
from .schemes import SCHEME_STATUS, Indicator, Scheme, SchemeItem, Tier

__all__ = [
    "ROLES", "PasswordHistory", "User", "AuditEntry", "Base", "utcnow", "Category", "OrgGroup", "Organisation",
    "PHASE_ORDER", "PHASES", "Adjustment", "Round", "RoundTarget", "Score",
    "SCHEME_STATUS", "Indicator", "Scheme", "SchemeItem", "Tier",
]
