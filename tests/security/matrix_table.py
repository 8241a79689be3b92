"""The authorization matrix's expectations: every (endpoint, method, rule) of the app × role ×
scope. A new endpoint without an entry here fails tests/security/test_matrix.py until someone
classifies it.

Each entry is one code string per role, in ROLE order (admin, assessor, leader, unit, clerk,
anonymous). For a URL with a unit's object in it the string has one character per scope, in
SCOPES order: own (unit A's object, or the GW round), sub (A's branch A-1), sibling (unit B:
outside A's scope, inside the committee), foreign (another committee's unit Q: outside every
role's scope). Other URLs have one character.

    2 → 200   3 → 302 (not to login)   4 → 400   9 → 409 (stale version; empty form)
    F → 403   N → 404   L → 302 to the login page

Allowed POSTs are sent with an empty form, so "allowed" shows as 200/302/400/409 (validation),
never 403/404. Policy invariants on this table (checked by test_table_policy): the foreign column
is never allowed, unit/clerk never reach the sibling column, anonymous only reaches PUBLIC.
"""
from __future__ import annotations

ROLE_ORDER = ("admin", "assessor", "leader", "unit", "clerk", "anonymous")

EXPECT = {
    "account.password GET /account/password": ('2', '2', '2', '2', '2', 'L'),
    "account.password POST /account/password": ('2', '2', '2', '2', '2', 'L'),
    "audit.index GET /audit/": ('2', 'F', 'F', 'F', 'F', 'L'),
    "auth.login GET /login": ('2', '2', '2', '2', '2', '2'),
    "auth.login POST /login": ('2', '2', '2', '2', '2', '2'),
    "auth.logout POST /logout": ('L', 'L', 'L', 'L', 'L', 'L'),
    "cards.index GET /cards/": ('2', '2', '2', '2', 'F', 'L'),
    "cards.show GET /cards/targets/<int:target_id>": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "cards.xlsx GET /cards/targets/<int:target_id>.xlsx": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "dashboard.burden GET /dashboard/burden": ('2', '2', '2', 'F', 'F', 'L'),
    "dashboard.index GET /dashboard/": ('2', '2', '2', 'F', 'F', 'L'),
    "dashboard.round_burden GET /dashboard/rounds/<int:round_id>/burden": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "dashboard.round_view GET /dashboard/rounds/<int:round_id>": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "evidence.download GET /evidence/<int:evidence_id>/download": ('222F', '222F', '222F', '22FF', '22FF', 'LLLL'),
    "evidence.edit POST /evidence/<int:evidence_id>/edit": ('FFFF', 'FFFF', 'FFFF', '44FF', '44FF', 'LLLL'),
    "evidence.index GET /evidence/": ('2', '2', '2', '2', '2', 'L'),
    "evidence.preview GET /evidence/<int:evidence_id>/preview": ('222F', '222F', '222F', '22FF', '22FF', 'LLLL'),
    "evidence.show GET /evidence/<int:evidence_id>": ('222F', '222F', '222F', '22FF', '22FF', 'LLLL'),
    "evidence.upload POST /evidence/upload": ('N', 'N', 'N', 'N', 'N', 'L'),
    "home.index GET /": ('2', '2', '2', '2', '2', 'L'),
    "orgs.edit GET /orgs/<int:org_id>/edit": ('222F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "orgs.edit POST /orgs/<int:org_id>/edit": ('333F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "orgs.import_orgs GET /orgs/import": ('2', 'F', 'F', 'F', 'F', 'L'),
    "orgs.import_orgs POST /orgs/import": ('2', 'F', 'F', 'F', 'F', 'L'),
    "orgs.index GET /orgs/": ('2', '2', '2', '2', '2', 'L'),
    "orgs.show GET /orgs/<int:org_id>": ('222F', '222F', '222F', '22FF', '22FF', 'LLLL'),
    "orgs.template GET /orgs/template.xlsx": ('2', 'F', 'F', 'F', 'F', 'L'),
    "publicity.answer POST /publicity/appeals/<int:appeal_id>/answer": ('FFFF', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "publicity.appeal POST /publicity/targets/<int:target_id>/appeals": ('FFFF', 'FFFF', 'FFFF', '44FF', 'FFFF', 'LLLL'),
    "publicity.decide POST /publicity/nominations/<int:nomination_id>/decide": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.delete_visit POST /publicity/visits/<int:visit_id>/delete": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "publicity.index GET /publicity/": ('F', 'F', 'F', '2', 'F', 'L'),
    "publicity.nominate POST /publicity/targets/<int:target_id>/nominations": ('FFFF', 'FFFF', 'FFFF', '44FF', 'FFFF', 'LLLL'),
    "publicity.round_page GET /publicity/rounds/<int:round_id>": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "publicity.target GET /publicity/targets/<int:target_id>": ('222F', '222F', '222F', '22FF', 'FFFF', 'LLLL'),
    "scores.verify GET /publicity/targets/<int:target_id>/verify": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.verify POST /publicity/targets/<int:target_id>/verify": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.votes GET /publicity/targets/<int:target_id>/votes": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.votes POST /publicity/targets/<int:target_id>/votes": ('FFFF', '333F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.votes_import GET /publicity/rounds/<int:round_id>/votes/import": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.votes_import POST /publicity/rounds/<int:round_id>/votes/import": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.votes_template GET /publicity/rounds/<int:round_id>/votes/template.xlsx": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "publicity.window POST /publicity/rounds/<int:round_id>/window": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "publicity.withdraw POST /publicity/nominations/<int:nomination_id>/withdraw": ('FFFF', 'FFFF', 'FFFF', '33FF', 'FFFF', 'LLLL'),
    "reports.cards GET /reports/rounds/<int:round_id>/cards": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.cards_xlsx GET /reports/rounds/<int:round_id>/cards.xlsx": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.compare GET /reports/rounds/<int:round_id>/compare": ('NNNF', 'NNNF', 'NNNF', 'FFFF', 'FFFF', 'LLLL'),
    "reports.compare_xlsx GET /reports/rounds/<int:round_id>/compare.xlsx": ('NNNF', 'NNNF', 'NNNF', 'FFFF', 'FFFF', 'LLLL'),
    "reports.groups GET /reports/rounds/<int:round_id>/groups": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.groups_xlsx GET /reports/rounds/<int:round_id>/groups.xlsx": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.index GET /reports/rounds/<int:round_id>/": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.job GET /reports/jobs/<job_id>": ('22FF', '22FF', '22FF', '22FF', '22FF', 'LLLL'),
    "reports.job_download GET /reports/jobs/<job_id>/download": ('NNFF', 'NNFF', 'NNFF', 'NNFF', 'NNFF', 'LLLL'),
    "reports.job_status GET /reports/jobs/<job_id>/status": ('22FF', '22FF', '22FF', '22FF', '22FF', 'LLLL'),
    "reports.loss GET /reports/rounds/<int:round_id>/loss": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.loss_xlsx GET /reports/rounds/<int:round_id>/loss.xlsx": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.progress GET /reports/rounds/<int:round_id>/progress": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.progress_xlsx GET /reports/rounds/<int:round_id>/progress.xlsx": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "reports.start_job POST /reports/rounds/<int:round_id>/jobs/<kind>": ('333F', '333F', '333F', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.advance GET /rounds/<int:round_id>/advance/<action>": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.advance POST /rounds/<int:round_id>/advance/<action>": ('FFFF', '333F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.index GET /rounds/": ('2', '2', '2', 'F', 'F', 'L'),
    "rounds.new GET /rounds/new": ('F', '2', 'F', 'F', 'F', 'L'),
    "rounds.new POST /rounds/new": ('F', '2', 'F', 'F', 'F', 'L'),
    "rounds.ranking GET /rounds/<int:round_id>/ranking": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.ranking_xlsx GET /rounds/<int:round_id>/ranking.xlsx": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.show GET /rounds/<int:round_id>": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.target GET /rounds/targets/<int:target_id>": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.target_add POST /rounds/targets/<int:target_id>/adjustments": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.target_override POST /rounds/targets/<int:target_id>/override": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.target_remove POST /rounds/targets/<int:target_id>/adjustments/<int:adjustment_id>/remove": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "rounds.target_veto POST /rounds/targets/<int:target_id>/veto": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "schemes.delete GET /schemes/<int:scheme_id>/<kind>/<int:obj_id>/delete": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.delete POST /schemes/<int:scheme_id>/<kind>/<int:obj_id>/delete": ('3', '3', 'F', 'F', 'F', 'L'),
    "schemes.diff GET /schemes/<int:scheme_id>/diff": ('2', '2', '2', 'F', 'F', 'L'),
    "schemes.import_scheme GET /schemes/import": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.import_scheme POST /schemes/import": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.index GET /schemes/": ('2', '2', '2', 'F', 'F', 'L'),
    "schemes.indicator GET /schemes/<int:scheme_id>/indicators/<int:ind_id>/edit": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.indicator GET /schemes/<int:scheme_id>/indicators/new": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.indicator POST /schemes/<int:scheme_id>/indicators/<int:ind_id>/edit": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.indicator POST /schemes/<int:scheme_id>/indicators/new": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.item GET /schemes/<int:scheme_id>/items/<int:obj_id>/edit": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.item GET /schemes/<int:scheme_id>/items/new": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.item POST /schemes/<int:scheme_id>/items/<int:obj_id>/edit": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.item POST /schemes/<int:scheme_id>/items/new": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.move POST /schemes/<int:scheme_id>/indicators/<int:ind_id>/move/<direction>": ('3', '3', 'F', 'F', 'F', 'L'),
    "schemes.new_version POST /schemes/<int:scheme_id>/new-version": ('3', '3', 'F', 'F', 'F', 'L'),
    "schemes.publish POST /schemes/<int:scheme_id>/publish": ('3', '3', 'F', 'F', 'F', 'L'),
    "schemes.settings GET /schemes/<int:scheme_id>/settings": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.settings POST /schemes/<int:scheme_id>/settings": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.show GET /schemes/<int:scheme_id>": ('2', '2', '2', 'F', 'F', 'L'),
    "schemes.template GET /schemes/template.xlsx": ('2', '2', '2', 'F', 'F', 'L'),
    "schemes.tier GET /schemes/<int:scheme_id>/tiers/<int:obj_id>/edit": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.tier GET /schemes/<int:scheme_id>/tiers/new": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.tier POST /schemes/<int:scheme_id>/tiers/<int:obj_id>/edit": ('2', '2', 'F', 'F', 'F', 'L'),
    "schemes.tier POST /schemes/<int:scheme_id>/tiers/new": ('2', '2', 'F', 'F', 'F', 'L'),
    "scores.grid GET /rounds/<int:round_id>/grid/<int:category_id>": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.import_file GET /rounds/<int:round_id>/scores/import": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.import_file POST /rounds/<int:round_id>/scores/import": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.save_cell POST /api/scores": ('4', '4', '4', '4', '4', 'L'),
    "scores.target GET /targets/<int:target_id>/scores": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.target POST /targets/<int:target_id>/scores": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "scores.template GET /rounds/<int:round_id>/scores/template.xlsx": ('FFFF', '222F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.confirm POST /self/items/<int:item_id>/confirm": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.deadlines POST /rounds/<int:round_id>/deadlines": ('FFFF', '333F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.index GET /self": ('F', 'F', 'F', '2', 'F', 'L'),
    "selfassess.progress GET /rounds/<int:round_id>/self-progress": ('222F', '222F', '222F', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.reject_evidence POST /self/citations/<int:citation_id>/reject": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.reopen POST /self/targets/<int:target_id>/reopen": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.return_item POST /self/items/<int:item_id>/return": ('FFFF', '444F', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "selfassess.save POST /self/targets/<int:target_id>/items/<code>": ('FFFF', 'FFFF', 'FFFF', '99FF', 'FFFF', 'LLLL'),
    "selfassess.submit POST /self/targets/<int:target_id>/submit": ('FFFF', 'FFFF', 'FFFF', '44FF', 'FFFF', 'LLLL'),
    "selfassess.target GET /self/targets/<int:target_id>": ('222F', '222F', '222F', '22FF', 'FFFF', 'LLLL'),
    "static GET /static/<path:filename>": ('2', '2', '2', '2', '2', '2'),
    "users.index GET /users/": ('2', 'F', 'F', 'F', 'F', 'L'),
    "users.new GET /users/new": ('2', 'F', 'F', 'F', 'F', 'L'),
    "users.new POST /users/new": ('2', 'F', 'F', 'F', 'F', 'L'),
    "users.generate_password POST /users/<int:user_id>/password/generate": ('222F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "users.reset_password GET /users/<int:user_id>/password": ('222F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "users.reset_password POST /users/<int:user_id>/password": ('222F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "users.set_active POST /users/<int:user_id>/active": ('333F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),
    "users.unlock POST /users/<int:user_id>/unlock": ('333F', 'FFFF', 'FFFF', 'FFFF', 'FFFF', 'LLLL'),}

# Cells whose 200 response may show names outside the role's scope, with the reason. Keep empty
# unless a page is meant to show them.
LEAK_ALLOWED: dict[tuple[str, str], str] = {}


# Schemes belong to an owner organisation: accounts scoped at unit A (admin_a, assessor_a, both
# roles alike) against a scheme owned above them (the 工委's) and one owned by A. One code per
# owner, in SCHEME_OWNERS order; codes as in EXPECT. Viewing stays open; managing needs the owner
# within the account's scope. (Importing a new version of an owned-above code: test_schemes_owner.)
SCHEME_OWNER_ROLES = ("admin_a", "assessor_a")
SCHEME_OWNERS = ("above", "within")
SCHEME_OWNER_EXPECT = {
    "schemes.delete GET /schemes/<int:scheme_id>/<kind>/<int:obj_id>/delete": ('F', '2'),
    "schemes.delete POST /schemes/<int:scheme_id>/<kind>/<int:obj_id>/delete": ('F', '3'),
    "schemes.diff GET /schemes/<int:scheme_id>/diff": ('2', '2'),
    "schemes.import_scheme GET /schemes/import": ('2', '2'),
    "schemes.import_scheme POST /schemes/import": ('2', '2'),
    "schemes.index GET /schemes/": ('2', '2'),
    "schemes.indicator GET /schemes/<int:scheme_id>/indicators/<int:ind_id>/edit": ('F', '2'),
    "schemes.indicator GET /schemes/<int:scheme_id>/indicators/new": ('F', '2'),
    "schemes.indicator POST /schemes/<int:scheme_id>/indicators/<int:ind_id>/edit": ('F', '2'),
    "schemes.indicator POST /schemes/<int:scheme_id>/indicators/new": ('F', '2'),
    "schemes.item GET /schemes/<int:scheme_id>/items/<int:obj_id>/edit": ('F', '2'),
    "schemes.item GET /schemes/<int:scheme_id>/items/new": ('F', '2'),
    "schemes.item POST /schemes/<int:scheme_id>/items/<int:obj_id>/edit": ('F', '2'),
    "schemes.item POST /schemes/<int:scheme_id>/items/new": ('F', '2'),
    "schemes.move POST /schemes/<int:scheme_id>/indicators/<int:ind_id>/move/<direction>": ('F', '3'),
    "schemes.new_version POST /schemes/<int:scheme_id>/new-version": ('F', '3'),
    "schemes.publish POST /schemes/<int:scheme_id>/publish": ('F', '3'),
    "schemes.settings GET /schemes/<int:scheme_id>/settings": ('F', '2'),
    "schemes.settings POST /schemes/<int:scheme_id>/settings": ('F', '2'),
    "schemes.show GET /schemes/<int:scheme_id>": ('2', '2'),
    "schemes.template GET /schemes/template.xlsx": ('2', '2'),
    "schemes.tier GET /schemes/<int:scheme_id>/tiers/<int:obj_id>/edit": ('F', '2'),
    "schemes.tier GET /schemes/<int:scheme_id>/tiers/new": ('F', '2'),
    "schemes.tier POST /schemes/<int:scheme_id>/tiers/<int:obj_id>/edit": ('F', '2'),
    "schemes.tier POST /schemes/<int:scheme_id>/tiers/new": ('F', '2'),
}

# Conflict of interest covers reading: assessor_home (工委 assessor, home unit A) while R1's scores
# are in progress. Scopes as in EXPECT (own = A, sub = A-1: both the home unit's). The per-target
# views are 403 with the reason; the round's 评分卡 report answers 200 without A's and A-1's cards
# (HOME_UNIT_HIDDEN: their names must not appear). The ranking stays a round overview (totals and
# ranks of every target, no itemised scores).
HOME_UNIT_ROLE = "assessor_home"
HOME_UNIT_EXPECT = {
    "rounds.target GET /rounds/targets/<int:target_id>": 'FF2F',
    "cards.show GET /cards/targets/<int:target_id>": 'FF2F',
    "cards.xlsx GET /cards/targets/<int:target_id>.xlsx": 'FF2F',
    "scores.target GET /targets/<int:target_id>/scores": 'FF2F',
    "scores.verify GET /publicity/targets/<int:target_id>/verify": 'FF2F',
    "scores.votes GET /publicity/targets/<int:target_id>/votes": 'FF2F',
    "reports.cards GET /reports/rounds/<int:round_id>/cards": '222F',
    "reports.cards_xlsx GET /reports/rounds/<int:round_id>/cards.xlsx": '222F',
    "rounds.ranking GET /rounds/<int:round_id>/ranking": '222F',
}
HOME_UNIT_HIDDEN = {"reports.cards", "reports.cards_xlsx"}
