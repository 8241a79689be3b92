"""Bounded load test on loopback (run on demand; not collected by pytest, not in CI).

    .venv/bin/python tests/load/load_scores.py [--duration 150] [--assessors 50] [--leaders 10]
                                               [--db URL] [--workers N] [--think 1-3] [--leader-think 5-15]

Sets up a round (default 500 targets in 10 categories, the 27-leaf scheme) with one assessor
account per simulated assessor and a leader account each, starts `scorecard serve` (gunicorn) on a
free 127.0.0.1 port, then for --duration seconds runs: 50 assessor threads, each logged in
(CSRF token from the page), POSTing /api/scores to its own cells (target × leaf, version from
its previous save), pausing a random 1–3 s between saves as a person typing into the grid does
(--think; 0 = no pause, a saturation test); 10 leader threads downloading the ranking workbook,
reading it for 5–15 s between downloads (--leader-think).
Prints requests/s, p50/p95/p99 latency and errors per kind, then checks in the database that
every score acknowledged with 200 is there exactly once with the last value sent.
Only 127.0.0.1 is ever contacted; every loop stops at the deadline.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from scorecard.db import make_engine, make_session_factory  # noqa: E402
from scorecard.migrate import upgrade  # noqa: E402
from scorecard.models import Score  # noqa: E402
from tests.bench.bench_scale import leaves_spec  # noqa: E402
from tests.factories import PASSWORD, Factory  # noqa: E402
from tests.load.http_client import Client  # noqa: E402


def setup(url: str, n_targets: int, n_assessors: int, n_leaders: int):
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        make = Factory(s)
        root = make.org("GW", "机关工委", kind="党工委")
        cats = [f"类别{c:02d}" for c in range(1, 11)]
        scheme = make.scheme(leaves=leaves_spec(), categories=cats)
        orgs = [make.org(f"U{i:04d}", f"州直第{i}单位机关党委", root, cats[i % 10]) for i in range(n_targets)]
        for i in range(n_assessors):
            make.user(f"kh{i:02d}", "assessor", root)
        for i in range(n_leaders):
            make.user(f"ld{i:02d}", "leader", root)
        rnd = make.round(scheme, root, orgs, code="LOAD")
        s.commit()
        targets = [t.id for t in rnd.targets]
        leaves = [i.code for i in scheme.indicators if i.parent_id is not None]
        return engine, rnd.id, targets, leaves


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, instance: str, port: int, workers: int | None):
    env = dict(os.environ, SCORECARD_DATABASE_URL=url, SCORECARD_INSTANCE=instance, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-c", "from scorecard.cli import main; main()", "serve", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=open(f"{instance}/serve.log", "w"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def pause_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=150)
    ap.add_argument("--assessors", type=int, default=50)
    ap.add_argument("--leaders", type=int, default=10)
    ap.add_argument("--targets", type=int, default=500)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--think", type=pause_range, default=(1.0, 3.0), help="assessor pause, seconds: 1-3 or 0")
    ap.add_argument("--leader-think", type=pause_range, default=(5.0, 15.0), help="leader pause, seconds")
    ap.add_argument("--db", default=None, help="an EMPTY database URL (default: temporary SQLite)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="scorecard-load-")
    url = args.db or f"sqlite:///{tmp}/load.sqlite3"
    engine, round_id, targets, leaves = setup(url, args.targets, args.assessors, args.leaders)
    port = free_port()
    server = start_server(url, tmp, port, args.workers)
    lat: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    sent: dict[tuple[int, int, str], str] = {}  # (assessor, target, leaf) -> last value acknowledged
    lock = threading.Lock()
    deadline = [0.0]

    def logged_in(name: str) -> Client:
        c = Client("127.0.0.1", port)
        c.login(name, PASSWORD)
        return c

    clients: dict[str, Client] = {}

    def log_in(names):
        for name in names:
            clients[name] = logged_in(name)

    def pause(bounds: tuple[float, float], rng: random.Random) -> None:
        wait = rng.uniform(*bounds)
        if wait:
            time.sleep(max(0.0, min(wait, deadline[0] - time.monotonic())))

    def assessor(k: int):
        c, rng = clients[f"kh{k:02d}"], random.Random(k)
        versions: dict[tuple[int, str], int | None] = {}
        i = 0
        while time.monotonic() < deadline[0]:
            cell = (targets[(k * 37 + i // len(leaves)) % len(targets)], leaves[i % len(leaves)])
            value = str(Decimal(50 + (k + i) % 50) / 100 * Decimal("3.7")).rstrip("0").rstrip(".")[:4]
            t0 = time.perf_counter()
            try:
                status, body = c.post_json("/api/scores", {"target_id": cell[0], "leaf_code": cell[1], "value": value,
                                                           "version": versions.get(cell)})
            except OSError as exc:
                status, body = 0, {"error": repr(exc)}
            dt = time.perf_counter() - t0
            with lock:
                lat["score"].append(dt)
                if status == 200:
                    sent[(k, *cell)] = body.get("points")
                    versions[cell] = body["version"]
                else:
                    errors[f"score {status}: {str(body.get('error'))[:60]}"] += 1
            i += 1
            pause(args.think, rng)
        c.close()

    def leader(k: int):
        c, rng = clients[f"ld{k:02d}"], random.Random(1000 + k)
        pause((0, args.leader_think[1]), rng)  # leaders don't all start at the same instant
        while time.monotonic() < deadline[0]:
            t0 = time.perf_counter()
            try:
                status, headers, data = c.request("GET", f"/rounds/{round_id}/ranking.xlsx")
                ok = status == 200 and data[:2] == b"PK"
            except OSError as exc:
                status, ok = repr(exc), False
            with lock:
                lat["export"].append(time.perf_counter() - t0)
                if not ok:
                    errors[f"export {status}"] += 1
            pause(args.leader_think, rng)
        c.close()

    try:
        # Log everyone in first (argon2, a few at a time), then start the clock.
        names = [f"kh{k:02d}" for k in range(args.assessors)] + [f"ld{k:02d}" for k in range(args.leaders)]
        login_threads = [threading.Thread(target=log_in, args=(names[i::4],)) for i in range(4)]
        [t.start() for t in login_threads]
        [t.join() for t in login_threads]
        assert len(clients) == len(names), "some logins failed"
        threads = [threading.Thread(target=assessor, args=(k,)) for k in range(args.assessors)]
        threads += [threading.Thread(target=leader, args=(k,)) for k in range(args.leaders)]
        start = time.monotonic()
        deadline[0] = start + args.duration
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 300)
        elapsed = time.monotonic() - start
    finally:
        server.terminate()
        server.wait(timeout=60)

    total = sum(len(v) for v in lat.values())
    print(f"load test: {args.assessors} assessors (pause {args.think[0]:g}–{args.think[1]:g} s) + {args.leaders} leaders "
          f"(pause {args.leader_think[0]:g}–{args.leader_think[1]:g} s) for {elapsed:.0f} s against "
          f"`scorecard serve` on {url.split(':')[0]} ({args.targets} targets × {len(leaves)} leaves)")
    print(f"  all requests: {total} in {elapsed:.0f} s = {total / elapsed:.1f} req/s; errors: {sum(errors.values())}")
    everything = [v * 1000 for values in lat.values() for v in values]
    print(f"  all     n={len(everything):6d}  p50 {pct(everything, 50):7.1f} ms  p95 {pct(everything, 95):7.1f} ms  "
          f"p99 {pct(everything, 99):7.1f} ms")
    for kind, values in lat.items():
        ms = [v * 1000 for v in values]
        print(f"  {kind:<7} n={len(ms):6d}  {len(ms) / elapsed:7.1f} req/s  p50 {pct(ms, 50):7.1f} ms  "
              f"p95 {pct(ms, 95):7.1f} ms  p99 {pct(ms, 99):7.1f} ms  max {max(ms):7.1f} ms  mean {statistics.mean(ms):7.1f} ms")
    for what, n in errors.most_common(10):
        print(f"  error × {n}: {what}")

    # Every acknowledged score is in the database exactly once, with the last value acknowledged.
    with make_session_factory(engine)() as s:
        from scorecard.models import Indicator, User
        users = {u.id: int(u.username[2:]) for u in s.scalars(select(User).where(User.role == "assessor"))}
        code = {i.id: i.code for i in s.scalars(select(Indicator))}
        rows = s.execute(select(Score.assessor_id, Score.target_id, Score.indicator_id, Score.points)).all()
        dupes = s.execute(select(func.count()).select_from(
            select(Score.target_id).group_by(Score.target_id, Score.indicator_id, Score.assessor_id)
            .having(func.count() > 1).subquery())).scalar()
        stored = {(users[a], t, code[i]): p for a, t, i, p in rows}
    missing = [k for k in sent if k not in stored]
    wrong = [k for k, v in sent.items() if k in stored and f"{stored[k]:.2f}" != v]
    extra = [k for k in stored if k not in sent]
    print(f"  database: {len(stored)} scores; acknowledged cells {len(sent)}; missing {len(missing)}; "
          f"wrong value {len(wrong)}; unacknowledged extra {len(extra)}; duplicate cells {dupes}")
    engine.dispose()
    ok = not missing and not wrong and not extra and not dupes
    print("  CHECK:", "every acknowledged score is stored exactly once" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
