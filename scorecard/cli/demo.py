"""`scorecard demo`: init + load the example from imports/ through the same importers users
use, then print the URL and one login per role (and serve, unless --no-serve)."""
from __future__ import annotations

from dataclasses import dataclass

import click
from sqlalchemy import select

from scorecard.cli.base import Context, main, pass_ctx
from scorecard.config import ROOT
from scorecard.migrate import upgrade
from scorecard.models import Round, User
from scorecard.serving import check_port

IMPORTS = ROOT / "imports"
DEMO_PASSWORD = "Demo@2025!"  # meets the password policy (services/accounts/security.py)
ROUND_CODE = "2025-ZZJG"
SCHEME_CODE = "ZZJG-DJKH"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    org: str
    home: str | None = None


ACCOUNTS = [
    DemoAccount("admin", "系统管理员（示例）", "admin", "CJJGGW"),
    DemoAccount("kaohe_a", "考核员甲", "assessor", "CJJGGW"),
    DemoAccount("kaohe_b", "考核员乙", "assessor", "CJJGGW"),
    DemoAccount("kaohe_c", "考核员丙", "assessor", "CJJGGW", home="CJ001"),
    DemoAccount("lingdao", "领导（示例）", "leader", "CJJGGW"),
    DemoAccount("tianbao", "填报员（示例）", "unit", "CJ002"),
    DemoAccount("jifen", "积分管理员（示例）", "clerk", "CJ003"),
]


@main.command()
@click.option("--serve/--no-serve", default=True, help="Start the server after loading.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_ctx
def demo(ctx: Context, serve: bool, host: str, port: int) -> None:
    """Create the database and load the demo (示例数据) from imports/."""
    if serve:
        check_port(host, port)
    upgrade(ctx.config["DATABASE_URL"])
    with ctx.unit_of_work() as session:
        if session.scalar(select(Round).where(Round.code == ROUND_CODE)):
            click.echo("示例数据已存在，跳过加载。")
        else:
            load_demo(session)
            click.echo("示例数据已加载（组织、27项指标考核细则、2025年度考核轮次及两位考核员的评分）。")
    _print_logins(host, port)
    if serve:
        from waitress import serve as waitress_serve

        from scorecard.web import create_app

        waitress_serve(create_app(), host=host, port=port, threads=8)


def load_demo(session) -> None:
    from scorecard.importers.orgs import parse_orgs
    from scorecard.importers.scheme import parse_scheme
    from scorecard.services.accounts import users as accounts
    from scorecard.services.orgs import tree as orgs
    from scorecard.services.rounds import lifecycle as rounds
    from scorecard.services.schemes import lifecycle as schemes
    from scorecard.services.scoring import exchange

    orgs.apply_org_import(session, None, parse_orgs(IMPORTS / "demo_orgs.xlsx"))
    users = {}
    for a in ACCOUNTS:
        users[a.username] = accounts.create_user(
            session, None, a.username, DEMO_PASSWORD, a.role, a.org, a.display_name, a.home,
            must_change_password=False)
    admin, assessor_a, assessor_b = users["admin"], users["kaohe_a"], users["kaohe_b"]
    parsed = parse_scheme(IMPORTS / "demo_scheme.xlsx")
    scheme = schemes.import_scheme(session, admin, parsed, SCHEME_CODE,
                                   parsed.title or "2025年度州直机关党建考核细则（示例数据）", 2025)
    schemes.publish(session, admin, scheme)
    rnd = rounds.create_round(session, assessor_b, scheme, ROUND_CODE, "2025年度州直机关党建考核（示例数据）")
    rounds.advance(session, assessor_b, rnd, "start_review")
    exchange.import_score_file(session, assessor_a, rnd, IMPORTS / "demo_scores_a.xlsx")
    exchange.import_score_file(session, assessor_b, rnd, IMPORTS / "demo_scores_b.xlsx")
    _demo_adjustments(session, assessor_b, rnd)


def _demo_adjustments(session, actor: User, rnd: Round) -> None:
    from scorecard.services.rounds import adjustments

    items = {i.code: i for i in rnd.scheme.items}
    targets = {t.org.code: t for t in rnd.targets}
    bonus = next((i for i in items.values() if i.kind == "bonus"), None)
    penalty = next((i for i in items.values() if i.kind == "penalty"), None)
    if bonus and "CJ010" in targets:
        adjustments.add_adjustment(session, actor, targets["CJ010"], bonus, bonus.points,
                                   f"绩优推报：{bonus.name}（示例数据）")
    if penalty and "CJ020" in targets:
        adjustments.add_adjustment(session, actor, targets["CJ020"], penalty, penalty.points,
                                   f"{penalty.name}（示例数据）")


def _print_logins(host: str, port: int) -> None:
    click.echo("")
    click.echo(f"访问地址：http://{host}:{port}/")
    click.echo(f"示例账号（密码均为 {DEMO_PASSWORD}）：")
    for a in ACCOUNTS:
        label = {"admin": "系统管理员", "assessor": "考核员", "unit": "填报员", "leader": "领导",
                 "clerk": "积分管理员"}[a.role]
        extra = f"，所在单位 {a.home}（回避）" if a.home else ""
        click.echo(f"  {label:<6} {a.username:<10} 范围 {a.org}{extra}")
