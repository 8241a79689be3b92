"""Helpers every view uses: the request's session, its unit of work, loading by id, table
headers and cells, workbook downloads."""
from __future__ import annotations

import contextlib
import functools
import io
import re
import sys
import tempfile
from pathlib import Path
from typing import Callable, ContextManager

from flask import abort, current_app, flash, g, send_file
from flask_login import current_user

from scorecard import slots
from scorecard.domain.numbers import fmt, parse_id
from scorecard.importers.common import ImportFailed
from scorecard.services.errors import PermissionDenied, ServiceError, StaleData
from scorecard.services.evidence import StorageUnavailable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_db():
    """The request's Session (one unit of work per request)."""
    if "db" not in g:
        g.db = current_app.extensions["scorecard.sessions"]()
    return g.db



class Outcome:
    """What a unit of work came to: truthy when it committed; else `error` says why (and
    `issues` lists an import's problems)."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.issues: list = []

    def __bool__(self) -> bool:
        return self.error is None


# Refusals that are not about what the user typed: they go to the app's error handlers.
_NOT_FOR_THE_FORM = (PermissionDenied, StorageUnavailable)


@contextlib.contextmanager
def unit_of_work(form=None, field: str | None = None):
    """The request's unit of work around service calls (the view counterpart of the command
    line's): commit when the block ends; a refusal (ServiceError) rolls back and is shown on the
    form (form_error) or as a flash; an ImportFailed rolls back and its issues are kept on the
    outcome for the page to list. The view goes on, checks the outcome and answers with
    `status_of(done.error)`. StaleData is a refusal of the form too when there is one (the page
    shows the user's input beside the newer value, 409); without a form it reaches the error
    handler like PermissionDenied and a storage outage (409, 403 with the reason, 503)."""
    db = get_db()
    outcome = Outcome()
    try:
        yield outcome
    except _NOT_FOR_THE_FORM:
        db.rollback()
        raise
    except StaleData:
        db.rollback()
        if form is None:
            raise
        outcome.error = sys.exc_info()[1]
        form_error(form, outcome.error, field)
    except ImportFailed as exc:
        db.rollback()
        outcome.error, outcome.issues = exc, exc.issues
    except ServiceError as exc:
        db.rollback()
        outcome.error = exc
        if form is not None:
            form_error(form, exc, field)
        else:
            flash(exc.message, "danger")
    else:
        db.commit()


def require(allowed: bool) -> None:
    """403 unless the named predicate said yes (a why_not_ reason: permissions.ensure)."""
    if not allowed:
        abort(403)


def get_or_404(session, model, ident):
    # an id no BIGINT column holds (or not a number at all) names nothing: 404, not a driver error
    if parse_id(ident) is None:
        abort(404)
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def actor():
    return current_user._get_current_object()


def table_header(cols) -> tuple[list[dict], list[str]]:
    """Two header rows when columns are grouped (一级指标得分, an assessor's name, …): the group
    spans its columns in the upper row, the others span both rows."""
    top: list[dict] = []
    lower: list[str] = []
    grouped = any(c.group for c in cols)
    for c in cols:
        if c.group and top and top[-1]["group"] == c.group:
            top[-1]["colspan"] += 1
        elif c.group:
            top.append({"text": c.group, "group": c.group, "colspan": 1, "rowspan": 1, "kind": "group"})
        else:
            top.append({"text": c.header, "group": None, "colspan": 1, "rowspan": 2 if grouped else 1,
                        "kind": c.kind})
        if c.group:
            lower.append(c.header)
    return top, lower


def cell_text(col, row) -> str:
    """A column's value as shown in an HTML table (numbers with two decimals)."""
    value = col.value(row)
    if value is None:
        return ""
    return fmt(value) if col.kind == "num" else str(value)


# A refused service call's HTTP status: the first class that matches.
_STATUS = ((StorageUnavailable, 503), (StaleData, 409), (PermissionDenied, 403), (ServiceError, 400))


def status_of(exc: ServiceError) -> int:
    return next(code for cls, code in _STATUS if isinstance(exc, cls))


def form_error(form, exc, field: str | None = None) -> None:
    """Show a service's refusal on the form: next to `field` when the view names one (every
    refusal of that form belongs there), else next to exc.field, else as a flash."""
    name = field or exc.field
    target = getattr(form, name, None) if name else None
    if target is None:
        flash(exc.message, "danger")
    else:
        target.errors = [*target.errors, exc.message]


def export_slot(wait: float | None = None) -> Callable[[], ContextManager[int]]:
    """Opens one of the machine's export slots (scorecard/slots.py) when called; configured now,
    so a background thread (outside the request) can call it."""
    cfg = current_app.config
    return functools.partial(slots.slot, Path(current_app.instance_path) / "slots", cfg["EXPORT_SLOTS"],
                             cfg["EXPORT_SLOT_WAIT"] if wait is None else wait)


def exporting(view):
    """Run a workbook view in an export slot, the report computation included; when none frees
    up in time, SlotsBusy → a 503 “please retry” page."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with export_slot()():
            return view(*args, **kwargs)
    return wrapped


def safe_filename(title: str) -> str:
    return re.sub(r'[\\/:*?"<>|\r\n]+', "_", title)


def send_workbook(title: str, write: Callable[[Path], object]):
    """Write a workbook to a temporary file and send it as `title`.xlsx."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xlsx"
        write(path)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"{safe_filename(title)}.xlsx")
