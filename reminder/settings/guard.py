"""Who may use the settings page, as local web pages that handle it well decide it.

- The page answers only to the name it was served under (``127.0.0.1:PORT``): a web site whose
  name was made to point at 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
- The address psoas opens carries a one-time key; the page trades it for a session cookie that
  scripts cannot read (HttpOnly) and that no other site's page sends along (SameSite=Strict).
- Every change carries the session's form key (CSRF) and must come from the page's own origin.
- ``psoas settings`` itself asks for a new one-time key with a secret it reads from psoas's
  private runtime folder, which only the user can open.

No response ever carries a CORS header, so no other origin may read one.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The cookie that holds the session.
COOKIE = "psoas-settings"
#: The header ``psoas settings`` sends its secret in.
KEY_HEADER = "X-Psoas-Key"


@dataclass
class Session:
    """One browser's way in: its form key, and a line to show on the next page it loads."""

    form_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    notice: str | None = None


class Guard:
    """The page's keys and sessions, and its checks of each request's headers."""

    def __init__(self, port: int) -> None:
        self.host = f"127.0.0.1:{port}"
        self.origin = f"http://{self.host}"
        self.secret = secrets.token_urlsafe(32)
        self._tokens: set[str] = set()
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new_token(self) -> str:
        """A key for one visit of the page's address."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens.add(token)
        return token

    def url(self, token: str) -> str:
        return f"{self.origin}/open?token={token}"

    def exchange(self, token: str) -> str | None:
        """The new session's id for an unused one-time key (which is then used up), else None."""
        with self._lock:
            found = next((t for t in self._tokens if secrets.compare_digest(t, token)), None)
            if found is None:
                return None
            self._tokens.discard(found)
            session_id = secrets.token_urlsafe(32)
            self._sessions[session_id] = Session()
            return session_id

    def session(self, headers: Mapping[str, str]) -> Session | None:
        """The session the request's cookie names, if it is one of this page's."""
        wanted = cookie_value(headers.get("Cookie", ""), COOKIE)
        if not wanted:
            return None
        with self._lock:
            for session_id, session in self._sessions.items():
                if secrets.compare_digest(session_id, wanted):
                    return session
        return None

    def right_host(self, headers: Mapping[str, str]) -> bool:
        return headers.get("Host", "") == self.host

    def same_origin(self, headers: Mapping[str, str]) -> bool:
        """Whether a change comes from this page: its Origin (or, without one, its Referer) is
        the page's own, and the browser does not call it cross-site."""
        fetched_from = headers.get("Sec-Fetch-Site")
        if fetched_from is not None and fetched_from != "same-origin":
            return False
        origin = headers.get("Origin")
        if origin is not None:
            return origin == self.origin
        referer = headers.get("Referer", "")
        return referer.startswith(self.origin + "/")

    def form_key_ok(self, session: Session, sent: str) -> bool:
        return secrets.compare_digest(session.form_key, sent)

    def from_psoas(self, headers: Mapping[str, str]) -> bool:
        """Whether a request is ``psoas settings`` asking with the secret: no browser sends that
        header, nor leaves out Origin on a POST."""
        sent = headers.get(KEY_HEADER, "")
        return "Origin" not in headers and bool(sent) and secrets.compare_digest(sent, self.secret)


def cookie_value(header: str, name: str) -> str | None:
    """One cookie's value from a Cookie header, without reading the others."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def session_cookie(session_id: str) -> str:
    """The Set-Cookie value: for this page only, out of scripts' reach, never sent cross-site."""
    return f"{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Strict"
