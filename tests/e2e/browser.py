"""Headless Chromium pointed at the tenant domains, which resolve to loopback."""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright._impl._api_structures import SetCookieParam  # (not re-exported)
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from accounts.models import User
from tenants.models import Tenant
from testing.servers import ROOT
from tests.factories import PASSWORD, domain_of, session_for

CHROMIUM = Path(os.environ.get("AVISO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.test 127.0.0.1",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
# Playwright waits this long for a page to show what a user would expect (ms).
PATIENCE = 10_000

# Runs before the page's own scripts: records every notification the page handled, every
# toast it showed (toasts fade after 6 s, so the DOM alone cannot prove "exactly once") and
# every WebSocket it made.
WATCH = """
window.__e2e = {seqs: [], toasts: [], sockets: []};
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    window.__e2e.sockets.push(this);
  }
};
document.addEventListener("aviso:notification", (e) => window.__e2e.seqs.push(e.detail.seq));
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("aviso-toasts");
  if (!box) return;
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
    if (n.nodeType !== 1) return;
    const title = n.querySelector("strong");
    const body = n.querySelector("span");
    window.__e2e.toasts.push({
      title: title ? title.textContent : n.textContent,
      body: body ? body.textContent : "",
    });
  }))).observe(box, {childList: true});
});
"""


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright. Playwright's sync API marks its (idle,
    paused) event loop as running on this thread between calls, which Django's async-safety
    check mistakes for async code around our ORM calls; so that check is off while it runs
    (start servers before this, so they never inherit the variable)."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def url(tenant: Tenant, port: int, path: str) -> str:
    return f"http://{domain_of(tenant)}:{port}{path}"


@dataclass
class Visitor:
    """One person in their own browser context (own cookies), with the page they look at."""

    name: str
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)

    def seqs(self) -> list[int]:
        """The seq of every notification this page handled, in order."""
        seqs: list[int] = self.page.evaluate("window.__e2e.seqs")
        return seqs

    def toast_titles(self) -> list[str]:
        return [t["title"] for t in self.page.evaluate("window.__e2e.toasts")]

    def open_sockets(self) -> int:
        """How many of the page's WebSockets are open now."""
        count: int = self.page.evaluate(
            "window.__e2e.sockets.filter((s) => s.readyState === WebSocket.OPEN).length"
        )
        return count

    def sockets_made(self) -> int:
        made: int = self.page.evaluate("window.__e2e.sockets.length")
        return made

    def mark_page(self) -> None:
        """Tag the document; the tag survives in-place updates but not a reload."""
        self.page.evaluate("window.__e2e.marker = 'still the same page'")

    def expect_not_reloaded(self) -> None:
        assert self.page.evaluate("window.__e2e.marker") == "still the same page"

    def wait_until_live(self, timeout: float = PATIENCE) -> None:
        self.page.wait_for_function("window.aviso && window.aviso.connected", timeout=timeout)


class Browsing:
    """Opens visitors on the tenant sites served at `port`; saves numbered screenshots."""

    def __init__(self, browser: Browser, *, port: int, test_name: str) -> None:
        self.browser = browser
        self.port = port
        self.visitors: list[Visitor] = []
        self.shots = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):
            old.unlink()
        self._shot_count = 0

    def visitor(
        self, name: str, *, viewport: ViewportSize | None = None, locale: str | None = None
    ) -> Visitor:
        """`locale` ("es-MX") is what the browser asks for in Accept-Language."""
        context = self.browser.new_context(
            viewport=viewport or {"width": 1100, "height": 760}, locale=locale
        )
        context.set_default_timeout(PATIENCE)
        context.add_init_script(WATCH)
        page = context.new_page()
        visitor = Visitor(name=name, context=context, page=page)
        page.on("pageerror", lambda exc: visitor.errors.append(f"{exc}"))
        self.visitors.append(visitor)
        return visitor

    def signed_in(
        self, name: str, tenant: Tenant, user: User, path: str, *, port: int | None = None
    ) -> Visitor:
        """A visitor already signed in (session cookie), looking at `path` with a live socket."""
        visitor = self.visitor(name)
        self.add_session(visitor, tenant, user)
        self.open(visitor, tenant, path, port=port)
        visitor.wait_until_live()
        return visitor

    def add_session(self, visitor: Visitor, tenant: Tenant, user: User) -> None:
        visitor.context.add_cookies([self.session_cookie(tenant, user)])

    def session_cookie(self, tenant: Tenant, user: User) -> SetCookieParam:
        """The cookie of a signed-in session of `user` on the tenant's domain."""
        return {
            "name": settings.SESSION_COOKIE_NAME,
            "value": session_for(tenant, user),
            "domain": domain_of(tenant),
            "path": "/",
            "httpOnly": True,
        }

    def sign_in_with_form(
        self, name: str, tenant: Tenant, user: User, *, port: int | None = None
    ) -> Visitor:
        """Signs in through the real login page, as a person would."""
        visitor = self.visitor(name)
        page = visitor.page
        page.goto(url(tenant, port or self.port, "/accounts/login/"))
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form:has(input[name=password]) [type=submit]").click()
        expect(page.locator(".who .user")).to_contain_text(user.display_name)
        return visitor

    def open(self, visitor: Visitor, tenant: Tenant, path: str, *, port: int | None = None) -> Any:
        response = visitor.page.goto(url(tenant, port or self.port, path))
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response

    def shot(self, visitor: Visitor, step: str) -> Path:
        self._shot_count += 1
        path = self.shots / f"{self._shot_count:02d}-{visitor.name}-{step}.png"
        visitor.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> list[str]:
        """Closes every context; returns the uncaught page errors seen."""
        errors = [f"{v.name}: {e}" for v in self.visitors for e in v.errors]
        for visitor in self.visitors:
            visitor.context.close()
        return errors
