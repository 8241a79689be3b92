"""Failed-login throttles (ASVS V2.2.1): growing delays instead of a hard lock.

Three counters, one code path for every username whether or not an account exists:
  pair:<name>@<address>  the name from one client address: LOGIN_MAX_FAILURES free failures,
                         then a delay doubling from BASE_SECONDS up to LOGIN_LOCK_MINUTES;
  addr:<address>         one client address over all names (spraying, enumeration floods):
                         LOGIN_ADDRESS_MAX_FAILURES free, same doubling and cap;
  name:<name>            the name from all addresses (a distributed attack): ACCOUNT_MAX_FAILURES
                         free, then a delay capped at ACCOUNT_DELAY_SECONDS (60 s) — strangers can
                         slow an account down, never lock it.
A refused (throttled) attempt is not checked and does not count, so a flood only advances the
counters at the pace the delays allow. A counter forgets after RESET_HOURS without failures.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from scorecard.models.accounts import LoginThrottle

BASE_SECONDS = 30
ADDRESS_MAX_FAILURES = 20
ACCOUNT_MAX_FAILURES = 50
ACCOUNT_DELAY_SECONDS = 60
RESET_HOURS = 24


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5            # per name and address
    lock_minutes: int = 15           # cap of the per-pair and per-address delay
    address_max_failures: int = ADDRESS_MAX_FAILURES
    account_max_failures: int = ACCOUNT_MAX_FAILURES
    account_delay_seconds: int = ACCOUNT_DELAY_SECONDS


def delay(failures: int, free: int, cap_seconds: int) -> int:
    """Seconds to wait after the failures-th failure: 0 while free, then doubling."""
    if failures < free:
        return 0
    return int(min(cap_seconds, BASE_SECONDS * 2 ** min(failures - free, 30)))


def keys(name: str, address: str | None) -> dict[str, str]:
    addr = (address or "-")[:60]
    return {"pair": f"pair:{name}@{addr}"[:120], "addr": f"addr:{addr}", "name": f"name:{name}"[:120]}


def _rows(session: Session, name: str, address: str | None) -> dict[str, LoginThrottle | None]:
    return {kind: session.get(LoginThrottle, key) for kind, key in keys(name, address).items()}


def blocked_until(session: Session, name: str, address: str | None, now: dt.datetime) -> dt.datetime | None:
    """The moment the next attempt of this name from this address may be checked, if later than now."""
    until = [r.blocked_until for r in _rows(session, name, address).values()
             if r is not None and r.blocked_until is not None and r.blocked_until > now]
    return max(until) if until else None


def failed(session: Session, name: str, address: str | None, now: dt.datetime, limits: Limits
           ) -> tuple[int, dt.datetime | None]:
    """Count a failed attempt on all three counters; returns (the name's failures over all
    addresses, the latest delay now in force for this name from this address or None)."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - dt.timedelta(hours=RESET_HOURS),
        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now)))
    cap = limits.lock_minutes * 60
    rules = {"pair": (limits.max_failures, cap), "addr": (limits.address_max_failures, cap),
             "name": (limits.account_max_failures, limits.account_delay_seconds)}
    name_failures, until = 0, None
    for kind, key in keys(name, address).items():
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(row)
        row.failures = (row.failures or 0) + 1
        row.last_failure_at = now
        wait = delay(row.failures, *rules[kind])
        if wait:
            row.blocked_until = now + dt.timedelta(seconds=wait)
            until = max(until, row.blocked_until) if until else row.blocked_until
        if kind == "name":
            name_failures = row.failures
    session.flush()
    return name_failures, until


def succeeded(session: Session, name: str, address: str | None) -> None:
    """A correct password: this name's counters start again (the address's does not)."""
    k = keys(name, address)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([k["pair"], k["name"]])))


def clear_name(session: Session, name: str) -> None:
    """An administrator lifts every delay on a name (from every address)."""
    session.execute(delete(LoginThrottle).where(or_(
        LoginThrottle.key == f"name:{name}", LoginThrottle.key.startswith(f"pair:{name}@", autoescape=True))))
