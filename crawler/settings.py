"""Vigie's crawl settings: the single documented source of defaults.

As in Scrapy's own ``default_settings.py``, every knob lives here with the reason for its
value. ``vigie crawl`` options and ``-s NAME=VALUE`` override them; nothing else in the
code base hard-codes a politeness, budget or browser default.
"""

from __future__ import annotations

BOT_NAME = "vigie"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- Identity -------------------------------------------------------------------------
#: A clear User-Agent naming the tool and where to learn about it, so that a web team
#: seeing Vigie in its logs knows who crawls and why.
VIGIE_CONTACT_URL = "https://github.com/vigie-services-publics/vigie"
USER_AGENT = f"Vigie/0.1 (+{VIGIE_CONTACT_URL}; veille Services Publics +)"

# -- Politeness -----------------------------------------------------------------------
ROBOTSTXT_OBEY = True
#: Each seed site is one download slot (set per request by the spider), whatever its
#: hosts: politeness is per administration, and demo sites sharing 127.0.0.1 stay apart.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
#: Keep it above 0 on the public web. With 0, Scrapy 2.19 on the asyncio reactor starts
#: every request a site's download slot holds in the same turn, whatever
#: CONCURRENT_REQUESTS_PER_DOMAIN (it counts a download only once its task runs): a site
#: then gets up to VIGIE_IN_FLIGHT_PER_SITE requests at once. A delay makes the slot start
#: one and wait; AutoThrottle never goes below it.
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 1  # one more try for a transient failure; a dead site must not hold the crawl
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
#: No listening consoles: a crawler of public sites has no business opening ports.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# -- Frontier (crawler/frontier) --------------------------------------------------------
#: The frontier is Scrapy's scheduler: per site, de-duplication by request fingerprint,
#: scope, depth, query variants, one page of each kind of key page before a second one,
#: the page budget and the requests in flight. In one process, in memory; a distributed
#: crawl (``--redis``) swaps in crawler.frontier.distributed.RedisFrontierScheduler.
SCHEDULER = "crawler.frontier.memory.FrontierScheduler"
#: HTML pages fetched per site (answered 2xx). A 404, a download error, a refusal or a
#: redirect to a page already known does not use it; robots.txt and sitemaps neither.
VIGIE_MAX_PAGES_PER_SITE = 30
#: Failed page requests per site before its frontier stops: failures do not use the page
#: budget, so a site whose links are mostly broken costs at most twice its budget.
VIGIE_MAX_FAILED_PER_SITE = 30
#: Requests of one site handed out at a time. Few, so that the next page is the best one
#: known when it leaves (a link found on a page just read can overtake the queued ones);
#: more than the site's download concurrency (CONCURRENT_REQUESTS_PER_DOMAIN, 2), so that
#: its download slot never waits for the frontier.
VIGIE_IN_FLIGHT_PER_SITE = 4
#: Sites crawled at a time: the others wait their turn, in seed order. Without a bound
#: every seed site opens at once and takes turns with all the others, so in a national
#: run each site's pages spread over the whole run: its time budget (counted from its
#: first request) ran out for 98 % of 10,000 sites, memory holds every site's queue, and
#: an interrupted run leaves every site half-crawled. Wide enough that turning through
#: the open sites gives each site's download slot its politeness delay (500 sites at
#: 100 pages/s: a turn every 5 s).
VIGIE_OPEN_SITES = 500
#: Link depth from the home page (sitemap URLs are depth 1). The frontier tracks the depth
#: of the page linking to each URL, so Scrapy's DepthMiddleware is off (it would count the
#: depth of the request that happened to find a link first).
VIGIE_MAX_DEPTH = 3
#: Responses above this size are cut off (a page of an administration site is < 2 MiB).
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
#: Refuse private, loopback and link-local targets (SSRF guard): a seed list is user
#: input. The address checked is the one each response came from (the peer of the
#: connection: a name that resolves to a public address, then to 127.0.0.1, is caught),
#: for every download (pages, redirects, robots.txt, sitemaps), ``vigie inspect`` and the
#: documents the audits' browser navigates to (redirects, scripts); an answer whose
#: address is unknown is refused too (crawler/addresses.py). The demo and the tests serve
#: sites on 127.0.0.1 and turn this on.
VIGIE_ALLOW_PRIVATE = False
#: Networks allowed although private (CIDR, e.g. ``["10.20.0.0/16"]``, or
#: ``-s VIGIE_ALLOWED_NETWORKS=10.20.0.0/16,fd00:1::/64``): an administration that checks
#: its own intranet sites on purpose opens these and nothing else. The tests use it to
#: make 127.0.0.2 stand for a public address. Empty: public addresses only.
VIGIE_ALLOWED_NETWORKS: list[str] = []
#: Crawler-trap guards: URLs longer than this, with a path segment repeated this many
#: times (the spider and the guard-rails middleware), or more distinct query strings than
#: this on one path (the frontier) are not followed.
VIGIE_MAX_URL_LENGTH = 400
VIGIE_MAX_REPEATED_SEGMENT = 3
VIGIE_MAX_QUERY_VARIANTS = 5
#: Seconds a site may take from its first request; then its remaining links are dropped
#: (noted in the run's statistics): one huge or slow site must not hold a whole run.
VIGIE_SITE_TIME_BUDGET = 900
#: Memory of the crawling process: a warning, then a clean stop (the run can be resumed
#: with ``vigie crawl --resume``). The browser is bounded by VIGIE_AUDIT_RESTART_EVERY.
MEMUSAGE_ENABLED = True
MEMUSAGE_WARNING_MB = 1536
MEMUSAGE_LIMIT_MB = 2048
#: Maximum number of sitemap URLs taken per site (pages still count in the page budget).
VIGIE_SITEMAP_MAX_URLS = 200

# -- robots.txt (RFC 9309; crawler/robots.py) ------------------------------------------
#: Bytes of a robots.txt that are parsed: RFC 9309 (2.5) asks for at least 500 KiB. A
#: larger file is read up to there (its download stops), cut at its last complete line.
VIGIE_ROBOTSTXT_PARSE_BYTES = 500 * 1024
#: Cap of a robots.txt download, in place of DOWNLOAD_MAXSIZE: Scrapy drops a response
#: that announces more than its cap before reading a byte, and bounds decompression by it.
#: Larger than the parse limit so that a large robots.txt is read rather than dropped;
#: one announced (or inflating) beyond it is unreachable: the site is not crawled.
VIGIE_ROBOTSTXT_MAXSIZE = 16 * 1024 * 1024

# -- Analysis -------------------------------------------------------------------------
#: Worker processes that parse pages and run the checks, so that the crawl is not bound
#: by the one core Scrapy's reactor runs on. "auto": one per core beyond the first (one on
#: a two-core machine: 0.53 of a bare Scrapy spider's throughput against 0.32 inline,
#: docs/benchmarks.md); 0: inline, in the reactor's thread.
VIGIE_ANALYSIS_WORKERS = "auto"
#: Seconds a page may take in a worker (a few milliseconds normally; pages are capped at
#: DOWNLOAD_MAXSIZE): past it the worker is killed and the page recorded as an analysis
#: error, so that one pathological page cannot stall the crawl. 0: no limit. Inline
#: analysis (no worker) cannot be interrupted.
VIGIE_ANALYSIS_TIMEOUT = 60.0

# -- Findings -------------------------------------------------------------------------
#: Reviewed exceptions (crawler/exceptions.py): a site excused from a check, for a reason,
#: until a date; read from ``--exceptions FILE`` (or exceptions.csv beside the seeds) and
#: recorded with the run, so that its table reads the same later. Rows: site_id, check,
#: reason, until (ISO date or None).
VIGIE_EXCEPTIONS: list[dict[str, str | None]] = []

# -- Store ----------------------------------------------------------------------------
#: Any SQLAlchemy URL; SQLite file in the current folder by default, PostgreSQL at scale.
VIGIE_DB_URL = "sqlite:///vigie.db"
#: Rows buffered before a write to the store (one transaction per batch).
VIGIE_STORE_BATCH = 50
#: Seconds after which buffered rows are written even if the batch is not full: bounds
#: what a killed crawl must fetch again, and lets a distributed worker release its leases.
VIGIE_STORE_FLUSH_INTERVAL = 2.0
#: Leave out the pages and errors the run already holds (one query per batch): needed
#: when several writers share a run (a distributed crawl sets it), useless alone.
VIGIE_STORE_SKIP_STORED = False

# -- Reports (``vigie report``, reports/) ---------------------------------------------
#: Processes that write the site pages (reports/site_pages.py) while the command's own
#: process writes the exports and the overview. "auto": one per core beyond the first (one
#: on two cores: the pages and the exports cost about the same there, so the two cores
#: are busy until the end; docs/benchmarks.md); 0: everything in the command's process.
VIGIE_REPORT_WORKERS: int | str = "auto"
#: Below this many sites the site pages are written in the command's process whatever
#: VIGIE_REPORT_WORKERS says: starting a worker (a fresh interpreter that imports pandas
#: and the reports, ~1 s of CPU) costs about what it saves on a run that small.
VIGIE_REPORT_POOL_MIN_SITES = 200

# -- Annuaire de l'administration (``vigie annuaire``, crawler/annuaire) ----------------
#: Records written per transaction by ``vigie annuaire import``: the national export's
#: ~80,000 records never sit in memory at once, nor hold the store's write lock long.
VIGIE_ANNUAIRE_BATCH = 1000
#: Problems (malformed records, unreadable fields) listed by line in an import's report
#: and its summary; all are counted, a broken export must not fill the store with text.
VIGIE_ANNUAIRE_PROBLEMS_LISTED = 200

# -- Distributed crawl (``vigie crawl --redis URL``, crawler/frontier/distributed.py) --
#: Redis of the shared frontier; None: one process alone. Set by ``--redis``, with
#: SCHEDULER = "crawler.frontier.distributed.RedisFrontierScheduler".
VIGIE_REDIS_URL = None
#: Key of the run in Redis (its ``--run-label``). Set with ``--redis``.
VIGIE_REDIS_RUN_KEY = None
#: This worker's id in Redis; None: a new one per process.
VIGIE_REDIS_WORKER_ID = None
#: Seconds a worker stays "alive" without a heartbeat: after that, any other worker puts
#: the requests it had taken back in the queue (a worker killed loses nothing).
VIGIE_REDIS_LEASE_TTL = 30.0
#: Requests a worker takes from Redis at a time into its local buffer (Scrapy asks its
#: scheduler for requests synchronously; the buffer is refilled in the background). Small:
#: taken requests count as in flight for their site, whichever worker holds them.
VIGIE_REDIS_BATCH = 16

# -- Progress -------------------------------------------------------------------------
#: Seconds between two progress lines on stderr (0 disables the display).
VIGIE_PROGRESS_INTERVAL = 5.0

# -- Browser (rendered pages, accessibility audit) ------------------------------------
#: Debian's Chromium, driven by Playwright through ``executable_path`` (``playwright
#: install`` needs the internet; the system browser does not). None: $VIGIE_CHROMIUM, else
#: Debian's chromium-headless-shell if installed (lighter), else /usr/bin/chromium.
VIGIE_BROWSER_EXECUTABLE = None
#: After the HTTP crawl, each site's home, contact and accessibility pages, its JavaScript
#: shells and this many other pages are rendered and audited with axe-core.
VIGIE_AUDIT_ENABLED = True
VIGIE_AUDIT_OTHER_PAGES = 5
#: Pages rendered at once, each in its own browser with one renderer process. One more
#: than the cores: while a tab waits (its page loading, the quiet wait after "load", the
#: round trips to Python) the third keeps both cores busy. On two cores, 3 audits the 25
#: pages of bench/whole_job_vs_peers.py 4-5 % faster than 2 at rest (CPU +2 %) and 6 %
#: faster with two busy loops beside it; 4 is no better than 3 (CPU +6 %). Each browser
#: adds ~210 MiB (peak PSS of the whole job: 1.08 GiB at 2, 1.29 at 3; docs/benchmarks.md).
#: Raise it with more cores, lower it where memory is short.
VIGIE_AUDIT_CONCURRENCY = 3
#: Seconds for one page's whole audit (load, scripts, axe): a page that hangs is an error.
VIGIE_AUDIT_TIMEOUT = 30.0
#: Seconds to wait at most after "load" for a page built by its scripts: it is audited as
#: soon as its DOM, its loads and its fetch/XHR calls have been still for 0.1 s
#: (crawler/audit.py, QUIET_MS); a page complete at "load" waits 0.1 s, not 1. 0: audit at
#: "load", as @axe-core/cli and pa11y do.
VIGIE_AUDIT_SETTLE = 1.0
#: Each browser is relaunched after auditing this many pages: memory stays bounded on
#: long runs (its renderer process lives from page to page until then).
VIGIE_AUDIT_RESTART_EVERY = 200
#: A page whose browser tab crashed is audited again this many times, in a fresh tab,
#: before the crash is its result (Debian's headless shell 156 kills 7-10 % of the tabs of
#: public pages whose local sub-resources it blocks; crashes are often transient).
VIGIE_AUDIT_CRASH_RETRIES = 1

#: Items processed in parallel per response. Scrapy's default (100) makes its asyncio
#: output loop start 100 tasks for every response; a page gives one item and a few
#: requests, and the store pipeline is synchronous: measured, 100 → 2 is the largest single
#: gain of crawl throughput (docs/benchmarks.md).
CONCURRENT_ITEMS = 2

# -- Components -----------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Outermost: tells the frontier how each of its downloads ended (crawler/frontier).
    "crawler.frontier.outcome.FrontierOutcomeMiddleware": 10,
    # The frontier keeps each site's scope (crawler/scope.py); the spider has no
    # allowed_domains, so Scrapy's offsite filter let every request through, at a cost
    # paid twice per request in the reactor's thread (request_scheduled and
    # process_request: ~3 % of it, docs/benchmarks.md, issue 17.2).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.GuardRailsMiddleware": 50,
    # In place of Scrapy's own, at its place in the chain: robots.txt read as RFC 9309 says
    # (500 KiB parsed, unreachable = complete disallow), obeyed by every request that
    # waits for it (crawler/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    # Nearest the download handler: the peer address of each response is checked before
    # any other middleware (redirects, decompression, retries, robots.txt) reads it.
    "crawler.middlewares.PeerAddressMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    # Each spider middleware wraps every page's output (its item, its requests) in one
    # more asynchronous generator, in the reactor's thread. These two do nothing for
    # Vigie: GuardRailsMiddleware refuses every URL over VIGIE_MAX_URL_LENGTH (400) before
    # UrlLengthMiddleware's 2,083 could matter, and MetaCopyDetectionMiddleware warns of
    # spiders that copy response.meta into their requests, which this one never does.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 500,
}
EXTENSIONS = {
    "crawler.progress.Progress": 500,
}

#: Scrapy's defaults that matter to us, written out so nobody has to look them up.
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
