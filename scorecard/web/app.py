"""Flask app factory. Views commit; services below only flush."""
from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.routing import IntegerConverter

from scorecard.config import ROOT, load_config
from scorecard.db import make_engine, make_session_factory
from scorecard.domain.limits import LIMITS
from scorecard.domain.numbers import MAX_ID, fmt, parse_id
from scorecard.models import User
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.slots import SlotsBusy
from scorecard.web import account, audit, auth, cards, dashboard, evidence, home, orgs, security
from scorecard.web.common import get_db, status_of
from scorecard.web.publicity import assess as publicity_assess
from scorecard.web.publicity import unit as publicity_unit
from scorecard.web.reports import jobs as reports_jobs
from scorecard.web.reports import tables as reports_tables
from scorecard.web.rounds import overview as rounds_overview
from scorecard.web.rounds import target as rounds_target
from scorecard.web.schemes import edit as schemes_edit
from scorecard.web.schemes import pages as schemes_pages
from scorecard.web.scores import exchange as scores_exchange
from scorecard.web.scores import form as scores_form
from scorecard.web.scores import grid as scores_grid
from scorecard.web.scores import verification as scores_verification
from scorecard.web.scores import votes as scores_votes
from scorecard.web.selfassess import fill as selfassess_fill
from scorecard.web.selfassess import review as selfassess_review
from scorecard.web.users import access as users_access
from scorecard.web.users import accounts as users_accounts

# Every module with routes; a blueprint package's routes live in several (registered once).
VIEWS = (auth, home, account, audit, cards, dashboard, evidence, orgs,
         rounds_overview, rounds_target, schemes_pages, schemes_edit,
         scores_form, scores_grid, scores_exchange, scores_verification, scores_votes,
         selfassess_fill, selfassess_review, publicity_unit, publicity_assess,
         reports_tables, reports_jobs, users_accounts, users_access)

class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only, at most what a BIGINT id holds, so
    /x/99999999999999999999 or a 5,000-digit id is a 404 instead of a driver error (500)."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class SafeJSON(DefaultJSONProvider):
    """A body nested too deeply for the decoder is malformed JSON (400), not a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


SERVER_ERROR_MESSAGE = "系统内部错误，本次操作未完成。请稍后重试；如持续出现，请联系系统管理员"
ERROR_MESSAGES = {400: "请求格式不正确，请刷新页面后重试", 404: "页面或数据不存在",
                  405: "不支持该请求方式，请通过页面上的按钮或链接操作", 500: SERVER_ERROR_MESSAGE}

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
    app.url_map.converters["int"] = BoundedInt  # before any route is registered
    app.json = SafeJSON(app)
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["scorecard.engine"] = engine
    app.extensions["scorecard.sessions"] = make_session_factory(engine)

    csrf.init_app(app)
    login_manager.init_app(app)
    _register_hooks(app)
    security.init_app(app)  # headers, cookies, idle timeout, forced password change, 403 audit
    _register_blueprints(app)
    return app



@login_manager.user_loader
def _load_user(user_id: str):
    # "<id>:<session_version>": a bumped version (password change) revokes older sessions
    ident, _, version = user_id.partition(":")
    ident, version = parse_id(ident), parse_id(version)
    if ident is None or version is None:
        return None
    user = get_db().get(User, ident)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def _register_hooks(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_db(_exc):
        db = g.pop("db", None)
        if db is not None:
            db.rollback()
            db.close()

    app.jinja_env.globals["limits"] = LIMITS  # maxlength of text inputs (also in imported macros)

    @app.context_processor
    def _helpers():
        return {"can": permissions.PREDICATES, "fmt": fmt}

    @app.errorhandler(CSRFError)
    def _csrf_error(_e):
        return render_template("error.html", code=400, message="页面已过期，请刷新后重试"), 400

    @app.errorhandler(SlotsBusy)
    def _exports_busy(e):
        return _retry_later(app.make_response((render_template("error.html", code=503, message=str(e)), 503)))

    @app.errorhandler(ServiceError)
    def _refused(e: ServiceError):
        """A refusal no view handled: 403 with its reason (audited), 409 stale, 503 storage, else 400."""
        code = status_of(e)
        if code == 403:
            return security.forbidden(e.message)
        if request.path.startswith("/api/"):
            resp = app.make_response((jsonify(ok=False, error=e.message, field=e.field), code))
        else:
            resp = app.make_response((render_template("error.html", code=code, message=e.message), code))
        return _retry_later(resp) if code == 503 else resp

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(500)
    def _http_error(e):
        """The product's own Chinese page (JSON under /api/) for a bad request, a missing page,
        a wrong method and an unexpected error."""
        code = getattr(e, "code", None) if getattr(e, "code", None) in ERROR_MESSAGES else 500
        if code == 500:
            app.logger.error("unhandled error on %s %s", request.method, request.path,
                             exc_info=getattr(e, "original_exception", None) or e)
        message = ERROR_MESSAGES[code]
        headers = {"Allow": ", ".join(e.valid_methods)} if code == 405 and getattr(e, "valid_methods", None) else {}
        if request.path.startswith("/api/"):
            return jsonify(ok=False, error=message, field=None), code, headers
        try:
            return render_template("error.html", code=code, message=message), code, headers
        except Exception:  # the page itself failed (e.g. the database is gone): plain Chinese text
            app.logger.exception("error page failed")
            return (f"<!doctype html><meta charset=utf-8><title>{code}</title><h1>{code}</h1><p>{message}</p>",
                    code, {**headers, "Content-Type": "text/html; charset=utf-8"})

    @app.errorhandler(413)
    def _too_large(_e):
        from flask import current_app

        limit = current_app.config.get("MAX_EVIDENCE_MB", 20)
        message = f"上传的文件过大，未保存。佐证材料单个文件不超过{limit} MB，请压缩或拆分后再上传"
        return render_template("error.html", code=413, message=message), 413


def _retry_later(resp):
    resp.headers["Retry-After"] = "30"
    return resp


def _register_blueprints(app: Flask) -> None:
    for bp in dict.fromkeys(module.bp for module in VIEWS):
        app.register_blueprint(bp)
