"""Vigie's own Scrapy signals (sent and caught through ``crawler.signals``, as Scrapy's).

They let components that do not know each other agree on a request's life without
branches: the frontier (:mod:`crawler.frontier`) learns how a download ended and when
its items are stored, whichever scheduler is configured.
"""

from __future__ import annotations

#: A request handed out by the frontier ended its download: ``request`` (the final one,
#: after redirects), ``page`` (True: an HTML page answered 2xx, which uses the site's
#: page budget; False: an HTTP error, a download error, a refusal, a body that is not
#: HTML). Sent by :class:`crawler.frontier.outcome.FrontierOutcomeMiddleware`.
download_outcome = object()

#: Items written to the store: ``items`` (the :mod:`crawler.items` written, in one
#: transaction). Sent by :class:`crawler.pipelines.StorePipeline` after each batch, so a
#: distributed frontier releases the requests whose findings are durable.
items_stored = object()

#: A site takes no more requests: its page budget, its time budget or its failures are
#: spent, and the frontier refuses whatever is proposed for it from now on. ``site_id``;
#: ``why`` (``"budget"``, ``"time"``, ``"failures"``), or ``None`` when the frontier only
#: learns that it is closed (a worker of a distributed crawl, from Redis's refusal). Sent
#: once per site by the in-memory frontier, at least once by each distributed worker that
#: proposes a link for it after its closing. The spider then forgets the links the site
#: proposed (:class:`crawler.spiders.sites.SiteInfo`): over tens of thousands of sites,
#: what closed sites kept is what a national crawl's memory grew with.
site_closed = object()
