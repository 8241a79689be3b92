"""All models; importing this module registers every table on Base.metadata."""
from scorecard.models.accounts import ROLES, PasswordHistory, User
from scorecard.models.audit import AuditEntry
from scorecard.models.base import Base, utcnow
from scorecard.models.evidence import DOC_TYPES, Evidence, EvidenceCitation
from scorecard.models.orgs import Category, Organisation, OrgGroup
from scorecard.models.publicity import Appeal, Nomination, PanelVote, VerificationItem, VerificationVisit
from scorecard.models.rounds import PHASE_ORDER, PHASES, Adjustment, Round, RoundTarget, Score
from scorecard.models.schemes import SCHEME_STATUS, Indicator, Scheme, SchemeItem, Tier
from scorecard.models.selfassess import ITEM_STATUS, TARGET_STATUS, SelfAssessment, SelfItem, SelfItemVersion

__all__ = [
    "ROLES", "PasswordHistory", "User", "AuditEntry", "Base", "utcnow", "Category", "OrgGroup", "Organisation",
    "PHASE_ORDER", "PHASES", "Adjustment", "Round", "RoundTarget", "Score",
    "SCHEME_STATUS", "Indicator", "Scheme", "SchemeItem", "Tier",
    "DOC_TYPES", "Evidence", "EvidenceCitation",
    "ITEM_STATUS", "TARGET_STATUS", "SelfAssessment", "SelfItem", "SelfItemVersion",
    "Appeal", "Nomination", "PanelVote", "VerificationItem", "VerificationVisit",
]
