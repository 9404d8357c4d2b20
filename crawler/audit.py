"""Rendered accessibility audits: a few Chromium lanes, reused pages, axe in every frame.

Why this shape (issue 3, ARCHITECTURE.md):

- **A few browsers per process, one renderer each.** Launching Chromium costs ~0.5 s and
  ~100 MB; a crawl audits hundreds of pages, so :class:`Auditor` launches ``concurrency``
  browsers once (its lanes), each with one page reused from audit to audit (or a fresh
  context per page, ``reuse_pages=False``) and one renderer process kept across sites
  (:class:`_Lane`: a new process per navigation cost a quarter of the CPU).
- **Audited as soon as the page is still** (issue 17). After ``load``, the settle waits in
  the page, in the same call as axe, until its DOM, its loads and its fetch/XHR calls
  have been quiet for :data:`QUIET_MS` (at most ``settle_s``), not for Playwright's half
  second of network silence.
- **axe in every frame.** axe-core is registered with ``context.add_init_script``, which
  Playwright evaluates in every document of the context before the page's own scripts,
  iframes included (same-origin and cross-origin, out-of-process ones too). ``axe.run``
  with ``iframes: true`` then asks each frame's axe for its results through axe's own
  ``postMessage`` messaging; ``allowedOrigins: ['<unsafe_all_origins>']`` lets it answer
  across origins (axe defaults to same-origin only). A frame without axe (sandboxed
  without scripts) is skipped by axe after its 500 ms ping.
- **Failures are results.** A page that never answers, never finishes loading, crashes
  its tab or makes axe hang gives an :class:`AuditResult` with ``error`` (a French reason)
  and the pool goes on; a lane's browser is relaunched after it dies and every
  ``restart_every`` pages it audited (bounds memory growth over long crawls). A crashed tab is tried
  again in a fresh tab (``crash_retries``) before its crash is reported: crashes are often
  transient. One is measured: Debian's headless shell 156 kills the renderer ("bad IPC
  message, reason 262") on 7 to 10 % of the pages whose sub-resources Local Network Access
  blocks, below.
- **No reach into private networks.** The crawler refuses private and local addresses
  for its own requests; in the browser, Chromium's Local Network Access keeps a page
  served from a public address from loading anything from a private or loopback one
  (names resolved, every kind of sub-resource and frame), at no cost per request — a
  Playwright route doing the same would intercept every request, +40 % a page.
  ``tests/test_audit_browser.py`` proves it holds with the Chromium in use. Local Network
  Access leaves top-level navigations alone, though: a public page that redirects, or
  sends the browser by script, to ``http://192.168.…`` would be followed and that page's
  content audited and kept. ``navigation_guard`` closes that door: every document request
  (the main frame's redirects and navigations included) is held by CDP's ``Fetch`` domain,
  for documents only, until the guard (the crawler's own private-address rule) lets it go.
  Nor over UDP, which Local Network Access does not see: WebRTC is off (its UDP by the
  browser's WebRTC policy, RTCPeerConnection removed from every frame); WebTransport
  (QUIC) from a public page to a private address is refused by Local Network Access
  (the tests check both).
- **Nor by DNS rebinding.** The guard resolves a name itself, Chromium resolves it again:
  a name that answers a public address to the first lookup and 127.0.0.1 to the second
  would pass the guard. So, with ``address_rule``, the server address of every main-frame
  document response (Playwright's ``Response.server_addr()``: the address Chromium was
  connected to) must pass the crawler's rule too, or the page's audit is an error; the
  redirect hops of the navigation included. Responses are watched only while a main-frame
  document request is under way (subscribing to every sub-resource's response would cost
  ~10 % a page).
- **What the rendered checks need, in the same round trip.** The call that runs axe also
  returns the rendered DOM and the page's :class:`~checks.rendered.RenderMetrics` (DOM
  elements, requests and kilobytes as EcoIndex counts them: :data:`_METRICS_JS` says
  how); then, axe's results read, the viewport goes to 320 CSS px
  for the document's scroll width and back (``mobile_ready``).
- **axe-core ≥ 4.11** (RGAA tags). It comes from the PyPI package ``axe-playwright-python``
  (pinned, ships ``axe.min.js``), or from a file named by ``axe_path`` /
  ``$VIGIE_AXE_JS``. Its version is in every result.

Usage (async, e.g. from a Scrapy spider running on the asyncio reactor)::

    async with Auditor(concurrency=2) as auditor:
        result = await auditor.audit("https://www.mairie-exemple.fr/")
        record = result.to_dict()   # {"axe_version", "violations", "needs_review", ...}

or, from synchronous code, ``audit_urls([...])``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from checks import rgaa
from checks.rendered import RenderMetrics
from crawler import settings

if TYPE_CHECKING:
    from crawler.addresses import AddressRule

log = logging.getLogger(__name__)

# Debian's old headless shell (package chromium-headless-shell: the same Chromium build,
# without the browser UI that the new headless mode of the full browser still runs), else
# the full browser (package chromium). Playwright itself uses the headless shell for
# headless Chromium. On the BAD pages the shell gives the same results and halves the
# browser process's CPU time per page (docs/benchmarks.md). The binary itself, not the
# /usr/bin/chromium-headless-shell script: that one does not exec it, so a browser killed
# through the script's pid would outlive it.
EXECUTABLES = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
DEFAULT_EXECUTABLE = next((p for p in EXECUTABLES if Path(p).exists()), EXECUTABLES[-1])
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # The headless shell's switch: no popup, no new tab, whatever the page does (see
    # init_script). The full browser does not know it and ignores it.
    "--block-new-web-contents",
    # No UDP from WebRTC: without a proxy, ``disable_non_proxied_udp`` leaves WebRTC no
    # UDP path at all, so a page cannot send STUN or TURN datagrams to an intranet or
    # loopback address (Local Network Access does not cover WebRTC in Chromium 156). The
    # headless shell reads the first spelling, the full browser the second; each ignores
    # the other (measured: tests/test_audit_browser.py). TURN over TCP is not UDP and is
    # left to the script that removes RTCPeerConnection (init_script).
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    # One renderer process per browser, kept from page to page (see _Lane). The headless
    # shell honours the limit as it is; the full browser isolates sites strictly and
    # starts a process per site whatever the limit, unless site isolation trials are off.
    # Site isolation guards a user's cross-site data inside one browser; the audit
    # browser holds none (no login, no cookie kept, one site per page at a time) and its
    # guards against private addresses (Local Network Access, navigation_guard, WebRTC
    # off) do not depend on it: the tests check them with these switches.
    "--renderer-process-limit=1",
    "--disable-site-isolation-trials",
    # Every audited document evaluates axe-core anew, and V8 keeps optimised code per
    # document: each page re-optimised ~240 axe functions with Maglev (~70 ms of
    # background compilation a page, Chromium tracing), most of them called only a few
    # hundred times before the page is left. Past 6 000 calls instead of 400, only the hot
    # ones are optimised: 8-10 % less CPU a page on the BAD pages, 7 % less on pages 8
    # times larger, results unchanged (JIT tiers do not change what code computes). An
    # unknown flag (a later V8) is only reported on stderr.
    "--js-flags=--invocation-count-for-maglev=6000",
)
AXE_MIN_VERSION = (4, 11)
AXE_PACKAGE = "axe_playwright_python"  # PyPI: axe-playwright-python (ships axe.min.js)
AXE_ENV = "VIGIE_AXE_JS"
CHROMIUM_ENV = "VIGIE_CHROMIUM"
# RGAA 4.1 implements WCAG 2.1 level AA: run the rules that test WCAG 2.0/2.1 A and AA.
# axe's best-practice rules (region, landmark-one-main…) and WCAG 2.2 rules (target-size)
# are left out by default; pass axe_tags=None to run every rule axe enables by default.
DEFAULT_AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
RESULT_TYPES = ("violations", "incomplete")
HTML_TRANSFER_MAX = 2000  # snippet cut in the page, before crossing the CDP pipe
#: The desktop viewport pages are audited in, and the narrow one of ``mobile_ready``
#: (WCAG 1.4.10 Reflow: no horizontal scrolling at 320 CSS px).
VIEWPORT = {"width": 1280, "height": 800}
NARROW_VIEWPORT = {"width": 320, "height": 800}
CLOSE_TIMEOUT_S = 5.0
#: The settle's quiet window: the page is audited once its DOM, its loads and its
#: fetch/XHR calls have been still this long (at most ``settle_s``). A framework renders a
#: response it has received within a few tasks or an animation frame (tens of ms); what
#: it still waits for is counted as pending. What a page that is complete at ``load``
#: pays: 0.1 s instead of Playwright's 0.5 s of network silence (docs/benchmarks.md).
QUIET_MS = 100

_AXE_VERSION = re.compile(r"axe v(\d+)\.(\d+)\.(\d+)")

# What the rendered checks need (checks/rendered.py), read in the page by the same call as
# axe, counted as EcoIndex's reference scraper (cnumr ecoindex_python_fullstack, the one
# behind ecoindex.fr) counts them:
# - elements: Playwright's ``locator("*")`` there, which pierces open shadow roots, minus
#   ``//*[local-name()='svg']//*`` (svg descendants, light DOM); main frame only.
# - requests and bytes: there, every entry of a fresh browser's HAR and the sum of their
#   ``_transferSize`` (bytes on the wire) / 1000. Here, from Resource Timing, at no cost
#   per request: the navigation entry and every resource entry of the document and of its
#   same-origin frames (a cross-origin frame's document is one entry of its parent; what
#   it loads is not seen). Bytes: ``transferSize`` (encoded body + 300, Chromium's fixed
#   header estimate); 0 with a non-zero ``encodedBodySize`` is a cache hit — the audit's
#   pages share one cache, the reference starts cold — so encodedBodySize + 300, what a
#   cold load transfers; both 0 is a cross-origin resource without Timing-Allow-Origin
#   (size hidden from pages): counted as a request, its bytes as 0. Exact bytes would need
#   every network event sent to Python (CDP), measured in docs/benchmarks.md.
# The viewport meta is not a figure: ``mobile_ready`` reads it from the rendered DOM.
_METRICS_JS = """
() => {
  let elements = 0;
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      elements += 1;
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const entries = [...performance.getEntriesByType('navigation')];
  const frames = (win) => {
    entries.push(...win.performance.getEntriesByType('resource'));
    for (let i = 0; i < win.frames.length; i += 1) {
      try { win.frames[i].performance.getEntriesByType; } catch (e) { continue; }
      frames(win.frames[i]);
    }
  };
  frames(window);
  let bytes = 0;
  for (const e of entries) {
    if (e.transferSize > 0) bytes += e.transferSize;
    else if (e.encodedBodySize > 0) bytes += e.encodedBodySize + 300;
  }
  return {
    dom_elements: elements - document.querySelectorAll('svg *').length,
    requests: entries.length,
    transfer_bytes: bytes,
  };
}
"""

# The settle, in the page (issue 17): after ``load``, wait until the DOM has not changed, no
# resource has finished loading and no fetch/XMLHttpRequest of the page is pending
# (:data:`_PENDING_REQUESTS`) for ``quietMs``, at most ``settleMs``. A page whose content
# is all there at ``load`` is audited ``quietMs`` later; a page that builds itself after
# ``load`` (a JavaScript shell fetching its content, a cookie banner injected by script)
# is audited once built. It replaces Playwright's ``networkidle`` (500 ms without any
# request, so at least half a second a page, and the whole wait on a page that polls),
# and needs no network event sent to Python.
_SETTLE_JS = """
(settleMs, quietMs) => new Promise((done) => {
  if (!(settleMs > 0)) { done(); return; }
  const requests = window.__vigiePendingRequests || (() => [0, 0]);
  const started = performance.now();
  let last = started;
  const touch = () => { last = performance.now(); };
  const dom = new MutationObserver(touch);
  dom.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const loads = new PerformanceObserver(touch);
  loads.observe({ type: 'resource' });
  const check = () => {
    const now = performance.now();
    const [pending, answered] = requests();
    const still = now - Math.max(last, answered);
    if (now - started >= settleMs || (pending === 0 && still >= quietMs)) {
      dom.disconnect();
      loads.disconnect();
      done();
    } else {
      setTimeout(check, Math.min(quietMs, 20));
    }
  };
  setTimeout(check, Math.min(quietMs, settleMs));
})
"""

# Runs in the page: axe.run, then keep only what Vigie stores (the full result carries
# every check's data for every node and can weigh megabytes on large pages), and the
# rendered DOM in the same round trip. Returned as one JSON string: Playwright's own
# value serialisation walks the object in the page, ships a tagged tree and rebuilds it
# in Python value by value, 2-3 times slower than JSON.stringify + json.loads (4-12 ms
# against 2-5 ms a page on the BAD pages). ``?? null`` keeps every key, as before.
_RUN_AXE_JS = """
async ([options, htmlMax, withHtml, settleMs, quietMs]) => {
  if (typeof window.axe === 'undefined' || typeof window.axe.run !== 'function') {
    throw new Error('vigie: axe-core absent du document');
  }
  await (__SETTLE__)(settleMs, quietMs);
  // A same-origin frame whose document has no root element (an empty image/* response)
  // makes axe 4.12 throw (documentElement of null) and the whole page's audit fail; such a
  // frame holds nothing to audit, so it is left out of axe's context.
  const rootless = [...document.querySelectorAll('iframe, frame')].filter((frame) => {
    try { return frame.contentDocument !== null && !frame.contentDocument.documentElement; }
    catch (e) { return false; }
  });
  const context = rootless.length ? { exclude: rootless } : document;
  const results = await window.axe.run(context, options);
  const slim = (rules) => (rules || []).map((r) => ({
    id: r.id, impact: r.impact ?? null, tags: r.tags, help: r.help, helpUrl: r.helpUrl,
    description: r.description,
    nodes: r.nodes.map((n) => ({
      target: n.target, html: (n.html || '').slice(0, htmlMax), impact: n.impact ?? null,
      failureSummary: n.failureSummary ?? null,
    })),
  }));
  let html = null;
  if (withHtml) {  // what page.content() does, without a second round trip
    html = document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '';
    html += document.documentElement ? document.documentElement.outerHTML : '';
  }
  return JSON.stringify({
    version: window.axe.version,
    violations: slim(results.violations),
    incomplete: slim(results.incomplete),
    html,
    metrics: (__METRICS__)(),
  });
}
""".replace("__METRICS__", _METRICS_JS.strip()).replace("__SETTLE__", _SETTLE_JS.strip())


# The document's scroll width, once the page has had a frame to lay itself out anew.
_NARROW_WIDTH_JS = """
() => new Promise((done) => requestAnimationFrame(() => {
  const root = document.scrollingElement || document.documentElement;
  done(root ? root.scrollWidth : null);
}))
"""


class AuditSetupError(RuntimeError):
    """The audit cannot run at all (no axe-core, axe too old, no Chromium): not a page error."""


@dataclass(frozen=True, slots=True)
class AxeSource:
    """The axe-core script injected in every frame, with where it came from."""

    path: str
    version: str
    script: str


def _parse_axe_version(script: str, path: str) -> str:
    match = _AXE_VERSION.search(script[:500])
    if not match:
        raise AuditSetupError(f"{path} : version d’axe-core introuvable dans l’en-tête")
    version = tuple(int(p) for p in match.groups())
    if version[:2] < AXE_MIN_VERSION:
        raise AuditSetupError(
            f"{path} : axe-core {match[0][5:]} trop ancien, il faut au moins "
            f"{AXE_MIN_VERSION[0]}.{AXE_MIN_VERSION[1]} (étiquettes RGAA)"
        )
    return ".".join(match.groups())


@cache
def load_axe(path: str | None = None) -> AxeSource:
    """Find axe.min.js: ``path``, else ``$VIGIE_AXE_JS``, else the pinned PyPI package.

    Raises :class:`AuditSetupError` with an install hint when none is usable, so a missing
    dependency stops the run loudly instead of giving pages without audit.
    """
    path = path or os.environ.get(AXE_ENV) or None
    if path:
        file = Path(path)
        if not file.is_file():
            raise AuditSetupError(f"axe-core introuvable : {path} n’existe pas")
        script, where = file.read_text("utf-8"), str(file)
    else:
        try:
            res = resources.files(AXE_PACKAGE).joinpath("axe.min.js")
            script, where = res.read_text("utf-8"), str(res)
        except (ModuleNotFoundError, FileNotFoundError) as exc:
            raise AuditSetupError(
                "axe-core introuvable : installez le paquet Python "
                "« axe-playwright-python » (pip install -e .) ou indiquez un fichier "
                f"axe.min.js dans ${AXE_ENV}"
            ) from exc
    return AxeSource(path=where, version=_parse_axe_version(script, where), script=script)


#: No new tab, as a browser's popup blocker has it for a page that opens one without a
#: click (nobody clicks during an audit): ``window.open`` gives nothing; a link or a form
#: whose target would open a tab (``_blank``, a name that no frame of the document has,
#: a modifier key on a scripted click) is not followed, whether the script clicks, submits
#: or calls ``form.submit()``. The page stays and is audited.
_NO_NEW_TAB = """
;(() => {
  const stays = (target) => {
    const base = document.querySelector("base[target]");
    const name = String(target || (base ? base.target : "") || "").trim();
    const t = name.toLowerCase();
    if (t === "" || t === "_self" || t === "_parent" || t === "_top") return true;
    if (t === "_blank") return false;
    const named = CSS.escape(name);  // a frame's name is case-sensitive
    return document.querySelector(`iframe[name="${named}"], frame[name="${named}"]`) !== null;
  };
  // A click made by a script may be non-cancelable: then the link loses its address
  // until the event is over, so that following it leads nowhere.
  const hold = (event, link) => {
    if (event.cancelable) { event.preventDefault(); return; }
    const href = link.getAttribute("href");
    link.removeAttribute("href");
    setTimeout(() => link.setAttribute("href", href), 0);
  };
  window.open = function () { return null; };
  window.addEventListener("click", (event) => {
    const on = event.target;
    const link = on && on.closest ? on.closest("a[href], area[href]") : null;
    if (link && (!stays(link.getAttribute("target")) || event.ctrlKey || event.metaKey
        || event.shiftKey || event.button === 1)) hold(event, link);
  }, true);
  window.addEventListener("submit", (event) => {
    const by = event.submitter && event.submitter.getAttribute("formtarget");
    if (!stays(by || event.target.getAttribute("target"))) event.preventDefault();
  }, true);
  const submit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () {
    if (stays(this.getAttribute("target"))) submit.call(this);
  };
})();
"""


#: No WebRTC: an audit has no use for peer connections, and a page's RTCPeerConnection
#: reaches any address the page names, outside the HTTP stack and its guards — STUN and
#: TURN over UDP (also refused by the browser's WebRTC policy, CHROMIUM_ARGS) and TURN over
#: TCP (which neither that policy nor Local Network Access stops). RTCPeerConnection is
#: exposed to windows only (not to workers), and the init script runs in every frame,
#: ``about:blank`` and ``srcdoc`` ones included, before the page's own scripts.
_NO_WEBRTC = """
;delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;
"""

#: The page's fetch and XMLHttpRequest calls still waiting for their response, for the
#: settle (:data:`_SETTLE_JS`): they do not hold the ``load`` event, and a page built by
#: script usually waits on one of them. Counted, nothing else changes (the page's own
#: calls go through unchanged, errors included).
_PENDING_REQUESTS = """
;(() => {
  let pending = 0;
  let over_at = 0;  // when a request last got its answer: the page's reaction is next
  const over = () => { pending -= 1; over_at = performance.now(); };
  const fetch = window.fetch;
  if (typeof fetch === 'function') {
    window.fetch = function (...args) {
      pending += 1;
      try {
        const answer = fetch.apply(this, args);
        answer.then(over, over);
        return answer;
      } catch (error) { over(); throw error; }
    };
  }
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    pending += 1;
    this.addEventListener('loadend', over, { once: true });
    try { return send.apply(this, args); } catch (error) { over(); throw error; }
  };
  Object.defineProperty(window, '__vigiePendingRequests', { value: () => [pending, over_at] });
})();
"""

#: Resource Timing keeps 250 entries by default; a page with more requests would be
#: under-counted (:data:`_METRICS_JS`). Set before the page's own scripts run.
_ALL_TIMINGS = """
;performance.setResourceTimingBufferSize(100000);
"""


def init_script(axe: AxeSource) -> str:
    """The script added to every document: axe-core, cross-origin frame messaging on, no
    new tab (:data:`_NO_NEW_TAB`), no WebRTC (:data:`_NO_WEBRTC`) and every request's
    timing kept (:data:`_ALL_TIMINGS`), the page's pending requests counted for the settle
    (:data:`_PENDING_REQUESTS`).

    A new tab is a page that no navigation guard holds: Playwright shows it only once its
    first request has left, so an intranet address in a popup would be reached before
    Vigie could close it. Debian's headless shell has no popup blocker; it is started with
    ``--block-new-web-contents``, which refuses every new tab inside the browser, and the
    script does the same in any browser (the full one ignores that switch).
    """
    return (
        axe.script
        + "\n;if (typeof window.axe !== 'undefined') {"
        + " window.axe.configure({ allowedOrigins: ['<unsafe_all_origins>'] }); }\n"
        + _NO_NEW_TAB
        + _NO_WEBRTC
        + _ALL_TIMINGS
        + _PENDING_REQUESTS
    )


@dataclass(slots=True)
class AuditResult:
    """One rendered page's axe audit.

    ``violations`` and ``needs_review`` are axe rule results reduced to ``id, impact, tags,
    help, helpUrl, description, nodes[{target, html, impact, failureSummary}]``; they are
    never merged. ``html`` is the rendered DOM (``page.content()``) so that the static
    checks can run on JavaScript-only pages. ``error`` is ``None`` on success, else a French
    reason; an errored result has empty lists and must be stored as an audit error, never
    as "no violation".
    """

    url: str
    axe_version: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    needs_review: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    final_url: str | None = None  # after redirects
    status: int | None = None  # HTTP status of the main document
    metrics: RenderMetrics | None = None  # what the rendered checks need (None: error)

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> dict[str, Any]:
        """RGAA view of the result (:func:`checks.rgaa.summarize`)."""
        return rgaa.summarize({"violations": self.violations, "incomplete": self.needs_review})

    def to_dict(self, *, include_html: bool = False) -> dict[str, Any]:
        """The ``"audit"`` object of ``vigie inspect --render --json`` and of the store.

        ``{"url", "final_url", "status", "axe_version", "error", "duration_s",
        "metrics": {"dom_elements", "requests", "transfer_kb", "scroll_width_320"} or None,
        "violations": [{"id", "impact", "help", "helpUrl", "rgaa", "criteria", "nodes"}],
        "needs_review": [same], "counts", "criteria_violated"}``.
        """
        data: dict[str, Any] = {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "axe_version": self.axe_version,
            "error": self.error,
            "duration_s": round(self.duration_s, 3),
            "metrics": None if self.metrics is None else self.metrics.to_dict(),
            **self.summary(),
        }
        if include_html:
            data["html"] = self.html
        return data


class _PageFailure(Exception):
    """Internal: the audit of one page failed with a French reason; the page is unusable."""


@dataclass(eq=False)
class _Lane:
    """One browser, its context and its one reused page: one audit at a time.

    The Auditor runs ``concurrency`` lanes rather than ``concurrency`` tabs of one browser:
    a browser started with ``--renderer-process-limit=1`` keeps one renderer process from
    page to page, where one browser's tabs got a new process at every navigation to
    another site (every audited site). The process is started once, and axe-core's 550 kB
    are compiled once, then taken from V8's cache: 23 % less CPU and 29 % less time for
    the same audits (25 one-page sites, docs/benchmarks.md). One renderer per browser,
    one browser per audit at a time: the lanes still audit in parallel.
    """

    browser: Any = None
    context: Any = None  # shared by the lane's pages when reuse_pages
    idle_page: Any = None
    since_launch: int = 0
    broken: bool = False
    # Why the navigation guard refused a document of a page (the page's last refusal).
    refused: dict[Any, str] = field(default_factory=dict)
    # The server-address checks of a page's main-frame documents still running.
    checks: dict[Any, set[asyncio.Task[None]]] = field(default_factory=dict)
    documents: dict[Any, _MainDocuments] = field(default_factory=dict)

    def died(self) -> None:
        self.broken = True


class Auditor:
    """Async pool auditing pages with Chromium and axe-core; use as ``async with``.

    ``concurrency`` pages run at once, each in its own browser (:class:`_Lane`; 2 suits a
    2-core machine). ``page_timeout_s`` bounds one page's whole audit (navigation to the
    ``load`` event, optional settling, axe, DOM). ``restart_every`` relaunches a lane's
    browser after it has audited that many pages. ``axe_tags`` selects axe rules by tag
    (``None``: every rule axe runs by default); ``axe_rules`` (rule ids) overrides it.
    ``reuse_pages=False`` gives each page a fresh context instead of reusing open pages.
    ``settle_s`` > 0 waits up to that long after ``load`` for the page to be
    still (pages built by script; :data:`_SETTLE_JS`: DOM, loads and requests quiet for
    :data:`QUIET_MS`); 0 audits at ``load``, like ``@axe-core/cli``.
    ``extra_args`` go after :data:`CHROMIUM_ARGS` (a ``--js-flags`` there replaces Vigie's).
    ``crash_retries``: times a page whose tab crashed is audited again, in a fresh tab,
    before the crash is its result. ``navigation_guard(url)`` returns a French reason to
    refuse a document request (a redirect or navigation to a private address), or None;
    a refused navigation of the audited page is its audit error. ``address_rule``: the
    rule the server address of every main-frame document must pass (DNS rebinding: the
    guard's lookup and Chromium's may answer differently); None checks nothing.
    """

    def __init__(
        self,
        executable_path: str | None = None,
        *,
        concurrency: int = settings.VIGIE_AUDIT_CONCURRENCY,
        page_timeout_s: float = settings.VIGIE_AUDIT_TIMEOUT,
        restart_every: int = settings.VIGIE_AUDIT_RESTART_EVERY,
        axe_tags: Sequence[str] | None = DEFAULT_AXE_TAGS,
        axe_rules: Sequence[str] | None = None,
        axe_path: str | None = None,
        reuse_pages: bool = True,
        settle_s: float = settings.VIGIE_AUDIT_SETTLE,
        keep_html: bool = True,
        user_agent: str | None = None,
        extra_args: Iterable[str] = (),
        crash_retries: int = settings.VIGIE_AUDIT_CRASH_RETRIES,
        navigation_guard: Callable[[str], Awaitable[str | None]] | None = None,
        address_rule: AddressRule | None = None,
    ) -> None:
        if concurrency < 1 or restart_every < 1 or page_timeout_s <= 0:
            raise ValueError("concurrency, restart_every et page_timeout_s doivent être > 0")
        if crash_retries < 0:
            raise ValueError("crash_retries doit être ≥ 0")
        self.crash_retries = crash_retries
        self.navigation_guard = navigation_guard
        self.address_rule = (
            None if address_rule is None or address_rule.allow_private else address_rule
        )
        self.executable_path = executable_path or os.environ.get(CHROMIUM_ENV) or DEFAULT_EXECUTABLE
        self.concurrency = concurrency
        self.page_timeout_s = page_timeout_s
        self.restart_every = restart_every
        self.reuse_pages = reuse_pages
        self.settle_s = settle_s
        self.keep_html = keep_html
        self.user_agent = user_agent
        self.args = [*CHROMIUM_ARGS, *extra_args]
        self.axe = load_axe(axe_path)
        self._init_script = init_script(self.axe)
        self.axe_options: dict[str, Any] = {
            "iframes": True,
            "resultTypes": list(RESULT_TYPES),
            # A frame whose axe answered the ping but never its results would otherwise
            # hold the page for axe's default 60 s.
            "frameWaitTime": int(max(1.0, page_timeout_s / 3) * 1000),
        }
        if axe_rules:
            self.axe_options["runOnly"] = {"type": "rule", "values": list(axe_rules)}
        elif axe_tags:
            self.axe_options["runOnly"] = {"type": "tag", "values": list(axe_tags)}

        self.pages_audited = 0
        self.restarts = 0  # relaunches after the first launch, all lanes
        self.crash_retried = 0  # audits tried again after their tab crashed
        self._pw: Any = None
        self._lanes: list[_Lane] = []
        # asyncio primitives bind to the running loop on first use (Python ≥ 3.10)
        self._free: asyncio.Queue[_Lane] = asyncio.Queue()
        self._start_lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Auditor:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start Playwright and launch the lanes' browsers (done lazily by :meth:`audit`)."""
        from playwright.async_api import async_playwright

        async with self._start_lock:  # two first audits at once must not start two
            if self._pw is not None:
                return
            if not Path(self.executable_path).exists():
                raise AuditSetupError(
                    f"Chromium introuvable : {self.executable_path} (paquet Debian "
                    f"« chromium-headless-shell » ou « chromium », ou indiquez le chemin "
                    f"dans ${CHROMIUM_ENV})"
                )
            pw = await async_playwright().start()
            self._pw = pw
            lanes = [_Lane() for _ in range(self.concurrency)]
            try:
                await asyncio.gather(*(self._launch(lane) for lane in lanes))
            except BaseException:
                self._pw = None  # leave nothing running behind a failed start
                await pw.stop()  # closes the browsers that did launch
                raise
            self._lanes = lanes
            for lane in lanes:
                self._free.put_nowait(lane)

    async def close(self) -> None:
        """Close the browsers and Playwright; safe to call twice."""
        lanes, self._lanes, self._free = self._lanes, [], asyncio.Queue()
        for lane in lanes:
            await self._close_lane(lane)
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None

    async def _launch(self, lane: _Lane) -> None:
        try:
            browser = await self._pw.chromium.launch(
                executable_path=self.executable_path, args=self.args, headless=True
            )
        except Exception as exc:
            raise AuditSetupError(f"Lancement de Chromium impossible : {exc}") from exc
        browser.on("disconnected", lambda _browser: lane.died())
        lane.browser, lane.since_launch, lane.broken = browser, 0, False
        if self.reuse_pages:
            lane.context = await self._new_context(browser)

    async def _new_context(self, browser: Any) -> Any:
        context = await browser.new_context(
            accept_downloads=False,
            service_workers="block",
            user_agent=self.user_agent,
            viewport=VIEWPORT,
        )
        await context.add_init_script(script=self._init_script)
        return context

    async def _close_lane(self, lane: _Lane) -> None:
        lane.idle_page, lane.context = None, None
        lane.refused.clear()  # late refusals of the pages closed with the browser
        lane.checks.clear()
        lane.documents.clear()
        browser, lane.browser = lane.browser, None
        if browser is None:
            return
        try:
            await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
        except Exception as exc:  # a dead or hung browser: its process goes with Playwright
            log.warning("fermeture du navigateur : %s", exc)

    # -- lanes: taken by one audit at a time, relaunched by it when due ------------------

    async def _take_lane(self) -> _Lane:
        if self._pw is None:
            await self.start()
        return await self._free.get()

    async def _ready(self, lane: _Lane) -> None:
        """Relaunch the lane's browser if it died or has served ``restart_every`` pages;
        the other lanes go on auditing meanwhile."""
        alive = lane.browser is not None and lane.browser.is_connected() and not lane.broken
        if alive and lane.since_launch < self.restart_every:
            return
        log.info("relance du navigateur (%s)", "rotation" if alive else "arrêt")
        await self._close_lane(lane)
        await self._launch(lane)
        self.restarts += 1

    async def _get_page(self, lane: _Lane) -> tuple[Any, Any]:
        """(page, own_context): the lane's idle page, or a new one (own context if not
        reusing pages)."""
        if self.reuse_pages:
            if lane.idle_page is not None:
                page, lane.idle_page = lane.idle_page, None
                return page, None
            page = await lane.context.new_page()
            own = None
        else:
            own = await self._new_context(lane.browser)
            page = await own.new_page()
        page.on("popup", _close_popup)
        if self.navigation_guard is not None or self.address_rule is not None:
            await self._guard_navigations(page, lane)
        return page, own

    async def _guard_navigations(self, page: Any, lane: _Lane) -> None:
        """Hold every document request of ``page`` until :attr:`navigation_guard` decides
        (a refused main-frame navigation's reason goes to ``lane.refused[page]``); with
        :attr:`address_rule`, check the server address of the main-frame responses.

        CDP's ``Fetch`` domain, for the ``Document`` resource type only: sub-resources are
        not intercepted (Local Network Access already guards them, and holding each of them
        would cost what a Playwright route costs). A redirect is a new request, held too.
        A main-frame request let go turns on the watch of the page's responses before it
        is released (:class:`_MainDocuments`), so that its response cannot be missed.
        """
        guard = self.navigation_guard or _allow_all
        refused = lane.refused
        documents = None
        if self.address_rule is not None:
            documents = lane.documents[page] = _MainDocuments(self, page, lane)
        session = await page.context.new_cdp_session(page)
        # A page's main frame has its target's id: a refused frame inside the page is only
        # left empty, a refused main-frame navigation makes the audit an error.
        main_frame = (await session.send("Target.getTargetInfo"))["targetInfo"]["targetId"]

        async def decide(event: dict[str, Any]) -> None:
            request_id, url = event["requestId"], event["request"]["url"]
            try:
                reason = await guard(url)
            except Exception as exc:  # a guard that cannot answer refuses (fails closed)
                reason = f"contrôle de l’adresse impossible : {exc}"
                log.warning("%s : %s", url, reason)
            try:
                if reason is None:
                    if documents is not None and event.get("frameId") == main_frame:
                        documents.expect()
                    await session.send("Fetch.continueRequest", {"requestId": request_id})
                else:
                    if event.get("frameId") == main_frame:
                        refused[page] = reason
                    log.info("navigation refusée vers %s : %s", url, reason)
                    await session.send(
                        "Fetch.failRequest",
                        {"requestId": request_id, "errorReason": "BlockedByClient"},
                    )
            except Exception as exc:  # the page closed meanwhile: nothing is left to release
                log.debug("requête %s non relâchée : %s", url, exc)

        def on_paused(event: dict[str, Any]) -> None:
            task = asyncio.get_running_loop().create_task(decide(event))
            task.add_done_callback(_log_task_error)

        session.on("Fetch.requestPaused", on_paused)
        await session.send(
            "Fetch.enable", {"patterns": [{"resourceType": "Document", "requestStage": "Request"}]}
        )

    async def _drop_page(self, page: Any, own: Any, lane: _Lane) -> None:
        """Close a page (and its own context) that may be broken; a hang marks the browser."""
        lane.documents.pop(page, None)
        lane.checks.pop(page, None)
        try:
            await asyncio.wait_for((own or page).close(), CLOSE_TIMEOUT_S)
        except Exception as exc:
            log.warning("fermeture d’un onglet impossible (%s) : relance du navigateur", exc)
            lane.broken = True

    # -- audits ----------------------------------------------------------------------

    async def audit(self, url: str) -> AuditResult:
        """Render ``url`` and audit it; never raises for a page problem (see ``error``).

        Raises :class:`AuditSetupError` only when Chromium cannot be (re)launched at all.
        """
        lane = await self._take_lane()
        try:
            retries = self.crash_retries
            lost = 0.0  # time of the crashed attempts, counted in the page's duration
            while True:
                await self._ready(lane)
                lane.since_launch += 1
                result = await self._audit_once(url, lane)
                if result.error != _CRASHED or retries == 0:
                    result.duration_s += lost
                    return result
                lost += result.duration_s
                retries -= 1
                self.crash_retried += 1
                log.info("%s : l’onglet a planté, nouvel essai dans un onglet neuf", url)
        finally:
            self._free.put_nowait(lane)

    async def rules(self) -> list[dict[str, Any]]:
        """axe's rule metadata (``axe.getRules()``: ruleId, tags, actIds…), all rules.

        For documentation and for mapping ACT rules to axe rules (``actIds``).
        """
        lane = await self._take_lane()
        try:
            await self._ready(lane)
            context = await lane.browser.new_context()
            try:
                page = await context.new_page()
                await page.evaluate(self._init_script)
                return await page.evaluate("window.axe.getRules()")
            finally:
                await context.close()
        finally:
            self._free.put_nowait(lane)

    async def audit_many(self, urls: Iterable[str]) -> list[AuditResult]:
        """Audit ``urls`` ``concurrency`` at a time; results in the order of ``urls``."""
        return list(await asyncio.gather(*(self.audit(u) for u in urls)))

    async def _audit_once(self, url: str, lane: _Lane) -> AuditResult:
        started = time.monotonic()
        result = AuditResult(url=url, axe_version=self.axe.version)
        page = own = None
        try:
            page, own = await self._get_page(lane)
            lane.refused.pop(page, None)  # a late refusal of the page's previous audit
            documents = lane.documents.get(page)
            if documents is not None:
                documents.reset()
            await self._render_and_run(page, url, started, result, lane)
        except _PageFailure as exc:
            result.error = str(exc)
        except Exception as exc:  # anything else from Playwright: reported, pool goes on
            dead = lane.broken or lane.browser is None or not lane.browser.is_connected()
            result.error = _reason(exc, browser_dead=dead)
            log.info("audit de %s en échec : %s", url, exc)
        checks = lane.checks.pop(page, None)
        if checks:  # server addresses still being read: the verdict waits for them
            _done, late = await asyncio.wait(checks, timeout=CLOSE_TIMEOUT_S)
            if late:
                lane.refused[page] = "adresse du serveur non vérifiée à temps : page refusée"
        refused = lane.refused.pop(page, None)
        if refused is not None:
            # The page (a redirect, a script) took the tab toward a private address: what
            # is left is Chromium's error page or a page half-left, not the page to audit.
            # The reason, not Chromium's "net::ERR_BLOCKED_BY_CLIENT".
            result.error = f"Navigation refusée : {refused}"
        if page is not None:
            # A page left at the narrow viewport (its restore failed) is not reused.
            if (
                result.error is None
                and own is None
                and not page.is_closed()
                and page.viewport_size == VIEWPORT
            ):
                lane.idle_page = page
            else:
                await self._drop_page(page, own, lane)
        if result.error is not None:
            result.violations, result.needs_review, result.html = [], [], None
            result.metrics = None
        else:
            self.pages_audited += 1
        result.duration_s = time.monotonic() - started
        return result

    async def _render_and_run(
        self, page: Any, url: str, started: float, result: AuditResult, lane: _Lane
    ) -> None:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        deadline = started + self.page_timeout_s
        # Page events only: listening to "response" would ship every sub-resource's
        # response to Python (~10 % of the time per page on image-heavy pages).
        state = {"dom": False, "crashed": False}

        def on_dom(_page: Any) -> None:
            state["dom"] = True

        def on_crash(_page: Any) -> None:
            state["crashed"] = True

        page.on("domcontentloaded", on_dom)
        page.on("crash", on_crash)
        stage = "commit"
        try:
            try:
                # "commit" first: the response headers have come, so a timeout afterwards
                # is a page that does not load, not a server that does not answer.
                response = await page.goto(url, wait_until="commit", timeout=_ms_left(deadline))
                stage = "load"
                if response is not None:
                    result.status = response.status
                    if self.address_rule is not None:
                        await self._check_navigation(response, page, lane)
                await page.wait_for_load_state("load", timeout=_ms_left(deadline))
            except PlaywrightTimeout as exc:
                raise _PageFailure(self._timeout_reason(stage, state)) from exc
            result.final_url = page.url
            settle = min(self.settle_s * 1000, _ms_left(deadline) / 2) if self.settle_s > 0 else 0
            try:
                raw = await asyncio.wait_for(
                    page.evaluate(
                        _RUN_AXE_JS,
                        [self.axe_options, HTML_TRANSFER_MAX, self.keep_html, settle, QUIET_MS],
                    ),
                    _ms_left(deadline) / 1000,
                )
            except TimeoutError as exc:
                raise _PageFailure(
                    f"Délai dépassé : l’analyse axe-core n’a pas abouti en "
                    f"{self.page_timeout_s:g} s (page bloquée ou trop lourde)"
                ) from exc
            if state["crashed"]:
                raise _PageFailure(_CRASHED)
            data = json.loads(raw)
            result.axe_version = data["version"]
            result.violations = data["violations"]
            result.needs_review = data["incomplete"]
            result.html = data["html"]
            measured = data["metrics"]
            result.metrics = RenderMetrics(
                dom_elements=measured["dom_elements"],
                requests=measured["requests"],
                transfer_kb=round(measured["transfer_bytes"] / 1000, 3),
                scroll_width_320=await self._narrow_scroll_width(page, url, deadline),
            )
        except Exception as exc:
            if not isinstance(exc, _PageFailure) and await _renderer_died(page, state):
                raise _PageFailure(_CRASHED) from exc
            raise
        finally:
            page.remove_listener("domcontentloaded", on_dom)
            page.remove_listener("crash", on_crash)

    async def _narrow_scroll_width(self, page: Any, url: str, deadline: float) -> int | None:
        """The document's scroll width with the viewport 320 CSS px wide (after axe, whose
        results were read at the audit viewport), then the viewport restored; ``None`` if
        the page did not answer (logged; the audit itself stands). One animation frame
        passes before reading, so that the page's own layout for the new width is done."""
        try:
            await asyncio.wait_for(
                page.set_viewport_size(NARROW_VIEWPORT), _ms_left(deadline) / 1000
            )
            return await asyncio.wait_for(
                page.evaluate(_NARROW_WIDTH_JS), _ms_left(deadline) / 1000
            )
        except Exception as exc:  # a page that hangs now: its audit is done, not this figure
            log.info("%s : largeur à 320 px non mesurée : %s", url, exc)
            return None
        finally:
            try:
                await asyncio.wait_for(page.set_viewport_size(VIEWPORT), CLOSE_TIMEOUT_S)
            except Exception as exc:  # the page is then not reused (viewport_size differs)
                log.info("%s : fenêtre non rétablie : %s", url, exc)

    async def _check_navigation(self, response: Any, page: Any, lane: _Lane) -> None:
        """Check the main-frame ``response`` and the redirect hops that led to it."""
        responses = [response]
        request = response.request.redirected_from
        while request is not None:
            hop = await request.response()
            if hop is not None:
                responses.append(hop)
            request = request.redirected_from
        for each in reversed(responses):
            await self.check_server(each, page, lane)

    async def check_server(self, response: Any, page: Any, lane: _Lane) -> None:
        """Refuse ``page``'s audit if ``response`` came from an address the rule refuses
        (or from an unknown one: nothing proves where its bytes came from)."""
        assert self.address_rule is not None
        parts = urlsplit(response.url)
        if parts.scheme not in ("http", "https"):
            return  # file: and data: documents (``vigie inspect page.html --render``)
        try:
            server = await response.server_addr()
        except Exception as exc:  # the page closed meanwhile: its audit is already over
            log.debug("%s : adresse du serveur illisible : %s", response.url, exc)
            server = None
        reason = self.address_rule.address_refusal(
            parts.hostname or "", server["ipAddress"] if server else None, peer=True
        )
        if reason is not None:
            log.info("document refusé %s : %s", response.url, reason)
            lane.refused[page] = reason

    def _timeout_reason(self, stage: str, state: dict[str, bool]) -> str:
        """French reason for a navigation timeout, from how far the page got."""
        limit = f"{self.page_timeout_s:g} s"
        if state["crashed"]:
            return _CRASHED
        if stage == "commit":
            return f"Délai dépassé : aucune réponse du serveur en {limit}"
        if state["dom"]:
            return (
                f"Délai dépassé : la page ne finit pas de se charger en {limit} "
                "(des ressources restent en attente)"
            )
        return (
            f"Délai dépassé : le document reçu ne s’affiche pas en {limit} "
            "(script bloquant ou document sans fin)"
        )


_CRASHED = "L’onglet du navigateur a planté pendant l’audit"


async def _allow_all(_url: str) -> str | None:
    """The guard when only the server addresses are checked."""
    return None


class _MainDocuments:
    """Watches a page's responses only while a main-frame document request of it is under
    way, and checks the server address of each main-frame document response.

    :meth:`expect` is called before the held request is released, so the subscription to
    responses reaches Playwright before the response can. Each check runs as a task kept
    in ``lane.checks[page]``: the audit's verdict waits for them.
    """

    def __init__(self, auditor: Auditor, page: Any, lane: _Lane) -> None:
        self.auditor, self.page, self.lane = auditor, page, lane
        self.pending = 0  # main-frame document requests released, not yet answered

    def expect(self) -> None:
        if self.pending == 0:
            self.page.on("response", self.on_response)
        self.pending += 1

    def reset(self) -> None:
        """Stop watching; forgets requests that never got a response (failed ones)."""
        if self.pending > 0:
            self.page.remove_listener("response", self.on_response)
        self.pending = 0

    def on_response(self, response: Any) -> None:
        try:
            main = response.frame == self.page.main_frame
        except Exception as exc:  # a response of a frame already detached: not the page's
            log.debug("réponse sans cadre : %s", exc)
            return
        if not main or not response.request.is_navigation_request():
            return
        if self.pending == 1:
            self.reset()
        elif self.pending > 1:
            self.pending -= 1
        task = asyncio.get_running_loop().create_task(
            self.auditor.check_server(response, self.page, self.lane)
        )
        self.lane.checks.setdefault(self.page, set()).add(task)
        task.add_done_callback(_log_task_error)


async def _renderer_died(page: Any, state: dict[str, bool]) -> bool:
    """Whether the page's renderer died, after an error it may have caused.

    A renderer killed during a navigation first fails the navigation ("net::ERR_ABORTED;
    maybe frame was detached?") and reports its crash a millisecond later (measured), so
    the crash flag alone misses it. One round trip to the page settles it: events come in
    order, so once the page answers or fails, an earlier crash event has been seen.
    """
    if not state["crashed"]:
        try:
            await asyncio.wait_for(page.evaluate("0"), CLOSE_TIMEOUT_S)
        except Exception as exc:  # a dead page fails here; the flag below says why
            log.debug("sonde de l’onglet après erreur : %s", exc)
    return state["crashed"]


def _ms_left(deadline: float) -> float:
    """Milliseconds before ``deadline``, at least 1 (Playwright reads 0 as "no timeout")."""
    return max((deadline - time.monotonic()) * 1000, 1.0)


def _reason(exc: Exception, *, browser_dead: bool) -> str:
    """A French reason for an unexpected Playwright error, keeping Chromium's error code."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if browser_dead or "Target page, context or browser has been closed" in message:
        return "Le navigateur s’est arrêté pendant l’audit"
    if "crash" in message.lower():
        return _CRASHED
    net = re.search(r"net::ERR_[A-Z_]+", message)
    if net:
        return f"Erreur réseau : {net[0]}"
    if "Download is starting" in message:
        return "Le document n’est pas une page web (téléchargement)"
    return f"Échec de l’audit : {message}"


def _close_popup(popup: Any) -> None:
    """Pages opened by ``window.open`` are not audited: close them so they do not pile up."""
    task = asyncio.get_running_loop().create_task(popup.close())
    task.add_done_callback(_log_task_error)


def _log_task_error(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("fermeture d’une fenêtre surgissante : %s", task.exception())


def audit_urls(urls: Iterable[str], **kwargs: Any) -> list[AuditResult]:
    """Synchronous helper: audit ``urls`` with a fresh :class:`Auditor` (``kwargs``).

    Runs its own event loop, so it cannot be called from a running loop (use
    :class:`Auditor` there).
    """

    async def run() -> list[AuditResult]:
        async with Auditor(**kwargs) as auditor:
            return await auditor.audit_many(urls)

    return asyncio.run(run())
