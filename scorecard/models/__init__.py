"""All models; importing this module registers every table on Base.metadata."""
from .accounts import ROLES, PasswordHistory, User
from .audit import AuditEntry
from .base import Base, utcnow
from .evidence import DOC_TYPES, Evidence, EvidenceCitation
from .orgs import Category, OrgGroup, Organisation
from .publicity import Appeal, Nomination, PanelVote, VerificationItem, VerificationVisit
from .rounds import PHASE_ORDER, PHASES, Adjustment, Round, RoundTarget, Score
from .schemes import SCHEME_STATUS, Indicator, Scheme, SchemeItem, Tier
from .selfassess import ITEM_STATUS, TARGET_STATUS, SelfAssessment, SelfItem, SelfItemVersion

__all__ = [
    "ROLES", "PasswordHistory", "User", "AuditEntry", "Base", "utcnow", "Category", "OrgGroup", "Organisation",
    "PHASE_ORDER", "PHASES", "Adjustment", "Round", "RoundTarget", "Score",
    "SCHEME_STATUS", "Indicator", "Scheme", "SchemeItem", "Tier",
    "DOC_TYPES", "Evidence", "EvidenceCitation",
    "ITEM_STATUS", "TARGET_STATUS", "SelfAssessment", "SelfItem", "SelfItemVersion",
    "Appeal", "Nomination", "PanelVote", "VerificationItem", "VerificationVisit",
]
