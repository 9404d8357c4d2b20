"""The Lua scripts of the distributed frontier (:mod:`crawler.frontier.distributed`).

Each script is one atomic step of the frontier on Redis. They share :data:`PRELUDE`
(``ARGV[1..4]``: the run's key prefix, the in-flight cap, the page budget, the failure
bound; script arguments follow) and return the run's counts where the worker needs them.
"""

from __future__ import annotations

# Keys, all under the run's prefix P: ``site:<s>`` (hash of the site's counts: queued, aux,
# out, leased, pages, reserved, failed, next, started, closed, seq), ``q:<s>:<kind>``
# (sorted set, a lane: members are encoded requests, scores -priority * 1e10 + arrival),
# ``x:<s>`` (sorted set of requests that are no page: sitemaps), ``kinds:<s>`` (lanes not
# empty), ``taken:<s>`` (kind → pages fetched or reserved), ``seen:<s>`` (fingerprint →
# the fingerprint of the request it was redirected from, "" for a link), ``keys:<s>``
# (scope), ``var:<s>`` (query variants), ``ready`` (sorted set: started sites that may hand
# a request out, by next allowed time in ms), ``fresh`` (sorted set: sites not started yet
# that may, in the order they were first seen, ``order``), ``open`` (sites started with
# requests queued or leased: at most VIGIE_OPEN_SITES before a fresh one starts),
# ``sites`` / ``active`` (sites seen / with requests queued or leased), ``pending``,
# ``workers``, ``alive:<w>``, ``lease:<w>`` (token → the request and its state: out, back,
# page, failed), ``tok``.

PRELUDE = """
local P = ARGV[1]
local CAP = tonumber(ARGV[2])
local MAXP = tonumber(ARGV[3])
local MAXF = tonumber(ARGV[4])
local function num(v) return tonumber(v) or 0 end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function refresh(s)
  local h = P .. 'site:' .. s
  local v = redis.call('HMGET', h, 'queued', 'out', 'pages', 'reserved', 'aux', 'next', 'leased',
                       'started', 'order')
  local queued = num(v[1])
  if queued > 0 and num(v[2]) < CAP and (num(v[5]) > 0 or num(v[3]) + num(v[4]) < MAXP) then
    if v[8] then
      redis.call('ZADD', P .. 'ready', num(v[6]), s)
      redis.call('ZREM', P .. 'fresh', s)
    else
      redis.call('ZADD', P .. 'fresh', num(v[9]), s)
      redis.call('ZREM', P .. 'ready', s)
    end
  else
    redis.call('ZREM', P .. 'ready', s)
    redis.call('ZREM', P .. 'fresh', s)
  end
  if queued + num(v[7]) > 0 then
    redis.call('SADD', P .. 'active', s)
    if v[8] then redis.call('SADD', P .. 'open', s) end
  else
    redis.call('SREM', P .. 'active', s)
    redis.call('SREM', P .. 'open', s)
  end
end
local function purge(s)
  local h = P .. 'site:' .. s
  local n = num(redis.call('HGET', h, 'queued'))
  for _, k in ipairs(redis.call('SMEMBERS', P .. 'kinds:' .. s)) do
    redis.call('DEL', P .. 'q:' .. s .. ':' .. k)
  end
  redis.call('DEL', P .. 'kinds:' .. s, P .. 'x:' .. s)
  redis.call('HSET', h, 'queued', 0, 'aux', 0)
  if n > 0 then redis.call('DECRBY', P .. 'pending', n) end
  return n
end
local function spent(s)
  local v = redis.call('HMGET', P .. 'site:' .. s, 'pages', 'failed', 'closed')
  if v[3] then return v[3] end
  if num(v[1]) >= MAXP then return 'budget' end
  if num(v[2]) >= MAXF then return 'failures' end
  return false
end
local function counts()
  return {num(redis.call('GET', P .. 'pending')), redis.call('SCARD', P .. 'sites'),
          redis.call('SCARD', P .. 'active')}
end
local function requeue_all(lk)
  local leases = redis.call('HGETALL', lk)
  local moved = 0
  for i = 2, #leases, 2 do
    local L = cjson.decode(leases[i])
    local s = L.s
    local h = P .. 'site:' .. s
    if L.st == 'out' then redis.call('HINCRBY', h, 'out', -1) end
    if L.k ~= '' then
      local taken = P .. 'taken:' .. s
      if L.st == 'out' or L.st == 'back' then
        redis.call('HINCRBY', h, 'reserved', -1)
        redis.call('HINCRBY', taken, L.k, -1)
      elseif L.st == 'page' then
        redis.call('HINCRBY', h, 'pages', -1)
        redis.call('HINCRBY', taken, L.k, -1)
      elseif L.st == 'failed' then
        redis.call('HINCRBY', h, 'failed', -1)
      end
      redis.call('ZADD', P .. 'q:' .. s .. ':' .. L.k, L.sc, L.m)
      redis.call('SADD', P .. 'kinds:' .. s, L.k)
    else
      redis.call('ZADD', P .. 'x:' .. s, L.sc, L.m)
      redis.call('HINCRBY', h, 'aux', 1)
    end
    redis.call('HINCRBY', h, 'queued', 1)
    redis.call('HINCRBY', h, 'leased', -1)
    -- A site closed meanwhile (its failures, by other workers) gets nothing back to fetch.
    if spent(s) then purge(s) end
    refresh(s)
    moved = moved + 1
  end
  redis.call('DEL', lk)
  return moved
end
"""

#: Admit a batch: ARGV[5] max query variants, then 10 fields per request: mode (new,
#: redirect, page, failed), site, fingerprint, lane ("" for no page), priority, encoded
#: request, variant key ("" for none), site key, home (1/0), no de-duplication (1/0; for
#: a redirect: the fingerprint it comes from). One result per request, then the counts.
ADMIT = """
local MAXV = tonumber(ARGV[5])
local out = {}
for i = 6, #ARGV, 10 do
  local mode, s, fp, lane = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local prio, data, vkey, skey = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  local home, extra = ARGV[i + 8], ARGV[i + 9]
  local h = P .. 'site:' .. s
  local seen = P .. 'seen:' .. s
  local keys = P .. 'keys:' .. s
  if redis.call('SADD', P .. 'sites', s) == 1 then
    redis.call('HSET', h, 'order', redis.call('SCARD', P .. 'sites'))
  end
  if home == '1' or mode == 'page' or mode == 'failed' then redis.call('SADD', keys, skey) end
  local res
  if mode == 'new' then
    if spent(s) then
      res = 'closed'
    elseif redis.call('SISMEMBER', keys, skey) == 0 then
      res = 'offsite'
    elseif extra ~= '1' and redis.call('HSETNX', seen, fp, '') == 0 then
      res = 'duplicate'
    elseif vkey ~= '' and redis.call('HINCRBY', P .. 'var:' .. s, vkey, 1) > MAXV then
      res = 'variants'
    else
      local seq = redis.call('HINCRBY', h, 'seq', 1)
      if lane == '' then
        redis.call('ZADD', P .. 'x:' .. s, seq, data)
        redis.call('HINCRBY', h, 'aux', 1)
      else
        redis.call('ZADD', P .. 'q:' .. s .. ':' .. lane, -tonumber(prio) * 1e10 + seq, data)
        redis.call('SADD', P .. 'kinds:' .. s, lane)
      end
      redis.call('HINCRBY', h, 'queued', 1)
      redis.call('INCR', P .. 'pending')
      refresh(s)
      res = 'queued'
    end
  elseif mode == 'redirect' then
    if redis.call('SISMEMBER', keys, skey) == 0 then
      res = 'offsite'
    elseif redis.call('HSETNX', seen, fp, extra) == 1 or redis.call('HGET', seen, fp) == extra then
      res = 'ok'
    else
      res = 'known'
    end
  else
    if redis.call('HSETNX', seen, fp, '') == 1 then
      if vkey ~= '' then redis.call('HINCRBY', P .. 'var:' .. s, vkey, 1) end
      if mode == 'page' then
        redis.call('HINCRBY', h, 'pages', 1)
        redis.call('HINCRBY', P .. 'taken:' .. s, lane, 1)
      else
        redis.call('HINCRBY', h, 'failed', 1)
      end
      if spent(s) then purge(s) end
      refresh(s)
    end
    res = 'restored'
  end
  out[#out + 1] = res
end
local c = counts()
out[#out + 1] = c[1]
out[#out + 1] = c[2]
out[#out + 1] = c[3]
return out
"""

#: Take up to ARGV[6] requests for worker ARGV[5]: ARGV[7] politeness delay (ms), ARGV[8]
#: time budget of a site (ms), ARGV[9] open sites at most (a fresh site starts only when no
#: started one is ready and fewer are open). Returns pending, sites, active, requests
#: dropped (a site out of time), the wait before a site is ready (ms, -1: none queued),
#: then token and encoded request for each request taken.
TAKE = """
local lk = P .. 'lease:' .. ARGV[5]
local n, delay, tb = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local W = tonumber(ARGV[9])
local now = now_ms()
local got = {}
local dropped = 0
local tries = 0
while #got < 2 * n and tries < 4 * n + 8 do
  tries = tries + 1
  local first = redis.call('ZRANGEBYSCORE', P .. 'ready', '-inf', now, 'LIMIT', 0, 1)
  if #first == 0 and redis.call('SCARD', P .. 'open') < W then
    first = redis.call('ZRANGE', P .. 'fresh', 0, 0)
  end
  if #first == 0 then break end
  local s = first[1]
  local h = P .. 'site:' .. s
  local v = redis.call('HMGET', h, 'started', 'aux', 'pages', 'reserved')
  local started = tonumber(v[1])
  if started and now - started > tb then
    redis.call('HSET', h, 'closed', 'time')
    dropped = dropped + purge(s)
  else
    local member, score, lane = nil, nil, ''
    if num(v[2]) > 0 then
      local x = redis.call('ZPOPMIN', P .. 'x:' .. s)
      member, score = x[1], x[2]
      redis.call('HINCRBY', h, 'aux', -1)
    elseif num(v[3]) + num(v[4]) < MAXP then
      local taken = P .. 'taken:' .. s
      local best, bt, bs = nil, 0, 0
      for _, k in ipairs(redis.call('SMEMBERS', P .. 'kinds:' .. s)) do
        local top = redis.call('ZRANGE', P .. 'q:' .. s .. ':' .. k, 0, 0, 'WITHSCORES')
        if #top > 0 then
          local t, sc = num(redis.call('HGET', taken, k)), tonumber(top[2])
          if best == nil or t < bt or (t == bt and sc < bs) then best, bt, bs = k, t, sc end
        end
      end
      if best then
        local q = P .. 'q:' .. s .. ':' .. best
        local x = redis.call('ZPOPMIN', q)
        member, score, lane = x[1], x[2], best
        if redis.call('ZCARD', q) == 0 then redis.call('SREM', P .. 'kinds:' .. s, best) end
        redis.call('HINCRBY', h, 'reserved', 1)
        redis.call('HINCRBY', taken, best, 1)
      end
    end
    if member then
      redis.call('HINCRBY', h, 'queued', -1)
      redis.call('HINCRBY', h, 'out', 1)
      redis.call('HINCRBY', h, 'leased', 1)
      if not started then redis.call('HSET', h, 'started', now) end
      redis.call('HSET', h, 'next', now + delay)
      local tok = tostring(redis.call('INCR', P .. 'tok'))
      local lease = {s = s, k = lane, sc = score, m = member, st = 'out'}
      redis.call('HSET', lk, tok, cjson.encode(lease))
      got[#got + 1] = tok
      got[#got + 1] = member
    end
  end
  refresh(s)
end
local wait = -1
if #got == 0 then
  local nxt = redis.call('ZRANGE', P .. 'ready', 0, 0, 'WITHSCORES')
  if #nxt > 0 then wait = math.max(tonumber(nxt[2]) - now, 0) end
end
local c = counts()
local reply = {c[1], c[2], c[3], dropped, wait}
for _, x in ipairs(got) do reply[#reply + 1] = x end
return reply
"""

#: What became of leased requests, for worker ARGV[5]: pairs of token and event — back
#: (its download is over; a request that is no page is done then), page / failed (how it
#: ended), drop (redirected to a page known, or out of scope: no page comes of it), stored
#: (its findings are in the store).
#: Returns pending, sites, active, requests dropped (a site's budget spent).
RECORD = """
local lk = P .. 'lease:' .. ARGV[5]
local dropped = 0
for i = 6, #ARGV, 2 do
  local tok, ev = ARGV[i], ARGV[i + 1]
  local raw = redis.call('HGET', lk, tok)
  if raw then
    local L = cjson.decode(raw)
    local h = P .. 'site:' .. L.s
    local page = L.k ~= ''
    if L.st == 'out' then
      redis.call('HINCRBY', h, 'out', -1)
      L.st = 'back'
    end
    local free = false
    if ev == 'back' and not page then
      free = true  -- a sitemap leaves no item: its download over, it is done
    elseif ev == 'page' or ev == 'failed' then
      if not page then
        free = true
      elseif L.st == 'back' then
        redis.call('HINCRBY', h, 'reserved', -1)
        if ev == 'page' then
          redis.call('HINCRBY', h, 'pages', 1)
        else
          redis.call('HINCRBY', h, 'failed', 1)
          redis.call('HINCRBY', P .. 'taken:' .. L.s, L.k, -1)
        end
        L.st = ev
      end
    elseif ev == 'drop' or ev == 'stored' then
      if page and L.st == 'back' then
        redis.call('HINCRBY', h, 'reserved', -1)
        redis.call('HINCRBY', P .. 'taken:' .. L.s, L.k, -1)
      end
      free = true
    end
    if free then
      redis.call('HDEL', lk, tok)
      redis.call('DECR', P .. 'pending')
      redis.call('HINCRBY', h, 'leased', -1)
    else
      redis.call('HSET', lk, tok, cjson.encode(L))
    end
    if spent(L.s) then dropped = dropped + purge(L.s) end
    refresh(L.s)
  end
end
local c = counts()
return {c[1], c[2], c[3], dropped}
"""

#: Put back in the queue the leases of every worker whose ``alive`` key expired.
REAP = """
local moved = 0
for _, w in ipairs(redis.call('SMEMBERS', P .. 'workers')) do
  if redis.call('EXISTS', P .. 'alive:' .. w) == 0 then
    moved = moved + requeue_all(P .. 'lease:' .. w)
    redis.call('SREM', P .. 'workers', w)
  end
end
return moved
"""

#: Worker ARGV[5] leaves: its leases back in the queue; 1 if no other worker is alive.
LEAVE = """
local me = ARGV[5]
local moved = requeue_all(P .. 'lease:' .. me)
redis.call('DEL', P .. 'alive:' .. me)
redis.call('SREM', P .. 'workers', me)
for _, w in ipairs(redis.call('SMEMBERS', P .. 'workers')) do
  if redis.call('EXISTS', P .. 'alive:' .. w) == 1 then return {0, moved} end
end
return {1, moved}
"""
