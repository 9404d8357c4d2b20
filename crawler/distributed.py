"""Several crawl processes, on one or many machines, on one seed list: Redis coordinates.

Scrapy's shared frontier is scrapy-redis (its scheduler keeps the request queue in a Redis
sorted set, so the best-scored page of any site is fetched first by whichever worker is
free). What scrapy-redis does not know is Vigie's per-site bookkeeping, nor what to do
with the requests of a worker that dies; this module keeps both in Redis, with atomic
operations (Lua scripts), so that N workers behave as one crawler and a killed one loses
nothing:

* ``claim``: a URL is queued once per run (``SADD`` on the site's seen set), within the
  site's page budget (``INCR``), and pushed to the shared queue *in the same script*: a
  claimed link is never lost between the claim and the push;
* leases: a worker that pops a request moves it to its own lease hash
  (``lease:<worker>``, see :class:`LeasedPriorityQueue`); the lease is released once the
  page's findings are stored (the store pipeline calls :meth:`Coordinator.release`), or
  once the request ends without a page. Each worker refreshes ``alive:<worker>`` (a key
  with a time to live, ``VIGIE_REDIS_LEASE_TTL``); any worker puts back in the queue the
  leases of a worker whose key expired (:meth:`Coordinator.reap`): SIGKILL, power cut…;
* ``pending``: claims not yet stored, so that no worker closes while another may still
  queue links, or while a dead worker's leases wait to be put back;
* site keys (the home's redirect domain), sitemap and redirect de-duplication, query
  variants: shared sets and counters;
* ``polite``: one request per site per ``DOWNLOAD_DELAY`` across all workers
  (``SET NX PX``): per-site politeness holds however many workers run;
* the run itself: the first worker creates it (under a Redis lock) and the last one alive
  to leave aggregates it.

The scripts name keys built from the run's prefix: they suit a single Redis server (or a
replicated one), not Redis Cluster.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import redis
from scrapy_redis.queue import PriorityQueue

from crawler.seeds import Seed
from crawler.store import Store

#: Claim ``url`` for the run and queue its request: KEYS seen, budget, pending, queue;
#: ARGV url, max pages, score, encoded request. 1 when this call claimed it.
_CLAIM = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('INCR', KEYS[2]) > tonumber(ARGV[2]) then return 0 end
redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4])
return 1
"""

#: Pop the best request and lease it: KEYS queue, lease hash; ARGV token.
_POP = """
local best = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #best == 0 then return false end
redis.call('ZREM', KEYS[1], best[1])
redis.call('HSET', KEYS[2], ARGV[1], best[2] .. '|' .. best[1])
return best[1]
"""

#: A leased request goes back to the queue (a redirect, a retry): KEYS queue, lease
#: hash; ARGV score, encoded request, token. The claim stays pending.
_REQUEUE = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[3])
return 1
"""

#: The request of a lease is done: KEYS lease hash, pending; ARGV token, counted (1 when
#: the request was a claim, which ``pending`` counts).
_RELEASE = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 and ARGV[2] == '1' then
  redis.call('DECR', KEYS[2])
  return 1
end
return 0
"""

#: Every dead worker's leases back in the queue: KEYS workers set, queue; ARGV prefix.
_REAP = """
local moved = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. worker) == 0 then
    local key = ARGV[1] .. 'lease:' .. worker
    local leases = redis.call('HGETALL', key)
    for i = 2, #leases, 2 do
      local lease = leases[i]
      local bar = string.find(lease, '|', 1, true)
      redis.call('ZADD', KEYS[2], string.sub(lease, 1, bar - 1), string.sub(lease, bar + 1))
    end
    redis.call('DEL', key)
    redis.call('SREM', KEYS[1], worker)
    moved = moved + #leases / 2
  end
end
return moved
"""

#: This worker leaves (its leases back in the queue first); 1 when no other worker is
#: alive: KEYS workers set, queue, own lease hash, own alive key; ARGV prefix, worker,
#: the key that only the aggregating worker may set.
_LEAVE = """
local leases = redis.call('HGETALL', KEYS[3])
for i = 2, #leases, 2 do
  local lease = leases[i]
  local bar = string.find(lease, '|', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(lease, 1, bar - 1), string.sub(lease, bar + 1))
end
redis.call('DEL', KEYS[3], KEYS[4])
redis.call('SREM', KEYS[1], ARGV[2])
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. worker) == 1 then return 0 end
end
return 1
"""

#: A final URL is fetched once per run, but the same request may come back (a lease
#: put back after its worker died): KEYS fetched hash; ARGV final URL, request URL.
_FIRST_FETCH = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then return 1 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 1 end
return 0
"""


class Coordinator:
    """Redis operations of one distributed run; keys are prefixed ``vigie:<run>:``.

    One process is one worker (``worker_id``); the CLI, the spider and the middlewares
    each hold a ``Coordinator`` built with the same id (``VIGIE_REDIS_WORKER_ID``).
    """

    def __init__(
        self,
        url: str,
        run_key: str,
        worker_id: str | None = None,
        lease_ttl: float = 30.0,
    ) -> None:
        self.url = url
        self.redis = redis.Redis.from_url(url)
        self.redis.ping()  # fail early and clearly if Redis is not there
        self.run_key = run_key
        self.prefix = f"vigie:{run_key}:"
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self.lease_ttl = lease_ttl
        self.queue_key = self.prefix + "requests"
        self.lease_key = f"{self.prefix}lease:{self.worker_id}"
        self.queue: LeasedPriorityQueue | None = None  # set when the scheduler opens
        scripts = {
            "claim": _CLAIM,
            "pop": _POP,
            "requeue": _REQUEUE,
            "release": _RELEASE,
            "reap": _REAP,
            "leave": _LEAVE,
            "first_fetch": _FIRST_FETCH,
        }
        self._scripts = {name: self.redis.register_script(code) for name, code in scripts.items()}

    @classmethod
    def from_settings(cls, settings: Any) -> Coordinator:
        return cls(
            settings.get("VIGIE_REDIS_URL"),
            settings.get("VIGIE_REDIS_RUN_KEY"),
            worker_id=settings.get("VIGIE_REDIS_WORKER_ID"),
            lease_ttl=settings.getfloat("VIGIE_REDIS_LEASE_TTL"),
        )

    # -- the run ---------------------------------------------------------------------------

    def join(self, store: Store, seeds: list[Seed], label: str, settings: dict[str, Any]) -> int:
        """The run id shared by every worker of ``label`` (created by the first one)."""
        with self.redis.lock(f"vigie:lock:{label}", timeout=60, blocking_timeout=60):
            existing = store.run_by_label(label)
            if existing is not None and existing["status"] != "finished":
                run_id = int(existing["id"])
            else:
                run_id = store.start_run(seeds, label=label, settings=settings)
            self.beat()
        return run_id

    def beat(self) -> None:
        """This worker is alive for ``lease_ttl`` more seconds."""
        pipe = self.redis.pipeline()
        pipe.set(f"{self.prefix}alive:{self.worker_id}", 1, px=max(int(self.lease_ttl * 1000), 1))
        pipe.sadd(self.prefix + "workers", self.worker_id)
        pipe.execute()

    def reap(self) -> int:
        """Put back in the queue the leases of every worker that stopped beating."""
        keys = [self.prefix + "workers", self.queue_key]
        return int(self._scripts["reap"](keys=keys, args=[self.prefix]))

    def leave(self) -> bool:
        """This worker is done; ``True`` for the last one alive, which aggregates the run."""
        keys = [
            self.prefix + "workers",
            self.queue_key,
            self.lease_key,
            f"{self.prefix}alive:{self.worker_id}",
        ]
        return bool(self._scripts["leave"](keys=keys, args=[self.prefix, self.worker_id]))

    def scheduler_settings(self) -> dict[str, Any]:
        """scrapy-redis as Scrapy's scheduler, with leases; its queue kept across restarts."""
        return {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": self.queue_key,
            "SCHEDULER_QUEUE_CLASS": "crawler.distributed.LeasedPriorityQueue",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": self.prefix + "dupefilter",
            "REDIS_URL": self.url,
            "VIGIE_REDIS_URL": self.url,
            "VIGIE_REDIS_RUN_KEY": self.run_key,
            "VIGIE_REDIS_WORKER_ID": self.worker_id,
        }

    # -- frontier ------------------------------------------------------------------------

    def claim(self, site_id: str, url: str, max_pages: int, request: Any) -> bool:
        """Queue ``request`` for ``url`` if first seen in the run and within the budget."""
        if self.queue is None:
            raise RuntimeError("file d'attente Redis non ouverte (ordonnanceur scrapy-redis)")
        keys = [
            f"{self.prefix}seen:{site_id}",
            f"{self.prefix}budget:{site_id}",
            self.prefix + "pending",
            self.queue_key,
        ]
        args = [url, max_pages, -request.priority, self.queue.encode(request)]
        return bool(self._scripts["claim"](keys=keys, args=args))

    def pop(self) -> tuple[bytes, str] | None:
        """The best queued request and its lease token, or None when the queue is empty."""
        token = uuid.uuid4().hex
        data = self._scripts["pop"](keys=[self.queue_key, self.lease_key], args=[token])
        return None if data is None else (data, token)

    def requeue(self, score: float, data: bytes, token: str) -> None:
        self._scripts["requeue"](keys=[self.queue_key, self.lease_key], args=[score, data, token])

    def release(self, token: str | None, counted: bool) -> None:
        """The leased request is done (its findings stored, or nothing to store)."""
        if token is None:
            if counted:  # a claim that never went through the queue
                self.redis.decr(self.prefix + "pending")
            return
        keys = [self.lease_key, self.prefix + "pending"]
        self._scripts["release"](keys=keys, args=[token, 1 if counted else 0])

    def pending(self) -> int:
        return int(self.redis.get(self.prefix + "pending") or 0)

    def first(self, name: str, member: str) -> bool:
        """``True`` the first time ``member`` is added to the set ``name`` in this run."""
        return bool(self.redis.sadd(self.prefix + name, member))

    def first_fetch(self, site_id: str, final_url: str, request_url: str) -> bool:
        """Whether this response is the one to analyse for ``final_url`` in the run.

        Two links redirected to one page give it once; the same request fetched again
        (its first worker died before storing it) gives it again.
        """
        keys = [f"{self.prefix}fetched:{site_id}"]
        return bool(self._scripts["first_fetch"](keys=keys, args=[final_url, request_url]))

    def add_key(self, site_id: str, key: str) -> None:
        self.redis.sadd(f"{self.prefix}keys:{site_id}", key)

    def has_key(self, site_id: str, key: str) -> bool:
        return bool(self.redis.sismember(f"{self.prefix}keys:{site_id}", key))

    def count_variant(self, site_id: str, path: str) -> int:
        return int(self.redis.hincrby(f"{self.prefix}variants:{site_id}", path, 1))

    # -- politeness ----------------------------------------------------------------------

    async def polite(self, site_id: str, delay: float) -> None:
        """Wait until this site may be fetched again, whichever worker fetched it last."""
        if delay <= 0:
            return
        key = f"{self.prefix}polite:{site_id}"
        deadline = time.monotonic() + 120
        while not self.redis.set(key, 1, nx=True, px=max(int(delay * 1000), 1)):
            if time.monotonic() > deadline:
                return  # never block a worker forever on a stuck key
            await asyncio.sleep(delay / 2)


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, whose ``pop`` leases the request to this worker.

    The request popped carries its lease token in ``meta["vigie_lease"]``; pushed back
    (a redirect, a retry) it replaces its lease in one step. See the module docstring.
    """

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.coordinator: Coordinator = spider.shared
        self.coordinator.queue = self

    def encode(self, request: Any) -> bytes:
        return self._encode_request(request)

    def push(self, request: Any) -> None:
        token = request.meta.pop("vigie_lease", None)
        if token is None:
            super().push(request)
        else:
            self.coordinator.requeue(-request.priority, self._encode_request(request), token)

    def pop(self, timeout: int = 0) -> Any:
        popped = self.coordinator.pop()
        if popped is None:
            return None
        data, token = popped
        request = self._decode_request(data)
        request.meta["vigie_lease"] = token
        return request
