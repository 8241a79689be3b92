"""Flask app factory. Views commit; services below only flush."""
from __future__ import annotations

from flask import Flask, g, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..config import ROOT, load_config
from ..db import make_engine, make_session_factory
from ..domain.numbers import fmt
from ..models import User
from ..services import permissions
from ..slots import SlotsBusy
from . import security

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录"
login_manager.login_message_category = "warning"


def create_app(overrides: dict | None = None) -> Flask:
    config = load_config(overrides)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "scorecard" / "static"),
        instance_path=config["INSTANCE_PATH"],
    )
    app.config.update(config)
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["scorecard.engine"] = engine
    app.extensions["scorecard.sessions"] = make_session_factory(engine)

    csrf.init_app(app)
    login_manager.init_app(app)
    _register_hooks(app)
    security.init_app(app)  # headers, cookies, idle timeout, forced password change, 403 audit
    _register_blueprints(app)
    return app


def get_db():
    """The request's Session (one unit of work per request)."""
    from flask import current_app

    if "db" not in g:
        g.db = current_app.extensions["scorecard.sessions"]()
    return g.db


@login_manager.user_loader
def _load_user(user_id: str):
    # "<id>:<session_version>": a bumped version (password change) revokes older sessions
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = get_db().get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _register_hooks(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_db(_exc):
        db = g.pop("db", None)
        if db is not None:
            db.rollback()
            db.close()

    @app.context_processor
    def _helpers():
        return {"can": permissions.PREDICATES, "fmt": fmt}

    @app.errorhandler(CSRFError)
    def _csrf_error(_e):
        return render_template("error.html", code=400, message="页面已过期，请刷新后重试"), 400

    @app.errorhandler(SlotsBusy)
    def _exports_busy(e):
        resp = app.make_response((render_template("error.html", code=503, message=str(e)), 503))
        resp.headers["Retry-After"] = "30"
        return resp

    @app.errorhandler(404)
    def _not_found(_e):
        return render_template("error.html", code=404, message="页面或数据不存在"), 404

    @app.errorhandler(413)
    def _too_large(_e):
        from flask import current_app

        limit = current_app.config.get("MAX_EVIDENCE_MB", 20)
        message = f"上传的文件过大，未保存。佐证材料单个文件不超过{limit} MB，请压缩或拆分后再上传"
        return render_template("error.html", code=413, message=message), 413


def _register_blueprints(app: Flask) -> None:
    from . import auth, home, orgs, rounds, schemes, scores, users

    for module in (auth, home, orgs, schemes, rounds, scores, users):
        app.register_blueprint(module.bp)
    from . import evidence, selfassess
    app.register_blueprint(evidence.bp)
    app.register_blueprint(selfassess.bp)
    from . import account
    app.register_blueprint(account.bp)
    from . import audit as audit_views, cards
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(cards.bp)
    from . import dashboard
    app.register_blueprint(dashboard.bp)
    from . import reports
    app.register_blueprint(reports.bp)
    from . import publicity
    app.register_blueprint(publicity.bp)
