"""A tiny HTTP/1.1 client for loopback tests: keep-alive connection, cookie jar, CSRF token,
login as a factory/demo user. Standard library only (used by tests/faults and tests/load)."""
from __future__ import annotations

import http.client
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    def __init__(self, host: str, port: int, timeout: float = 60, keep_alive: bool = True):
        self.host, self.port, self.timeout, self.keep_alive = host, port, timeout, keep_alive
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body bytes). Reconnects once if the server closed the connection."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
            if not self.keep_alive:
                h["Connection"] = "close"
            h.update(headers or {})
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
                continue
            for raw in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
            if not self.keep_alive or resp.getheader("Connection", "").lower() == "close":
                self.close()
            return resp.status, resp.headers, data
        raise AssertionError("unreachable")

    def get(self, path: str):
        status, headers, data = self.request("GET", path)
        m = CSRF_META.search(data.decode("utf-8", "replace")) if data else None
        if m:
            self.csrf = m.group(1)
        return status, headers, data

    def post_form(self, path: str, fields: dict):
        body = urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, payload: dict):
        body = json.dumps(payload).encode()
        status, headers, data = self.request("POST", path, body, {"Content-Type": "application/json",
                                                                  "X-CSRFToken": self.csrf})
        try:
            return status, json.loads(data)
        except ValueError:
            return status, {"raw": data[:300].decode("utf-8", "replace")}

    def login(self, username: str, password: str) -> None:
        status, _, page = self.get("/login")
        m = CSRF_INPUT.search(page.decode()) or CSRF_META.search(page.decode())
        assert status == 200 and m, (status, page[:300])
        self.csrf = m.group(1)
        status, headers, _ = self.post_form("/login", {"username": username, "password": password})
        assert status == 302 and "/login" not in headers.get("Location", ""), (status, headers.get("Location"))
        self.get("/")  # a page with the session's CSRF meta tag

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
