--[[
  Forgets visits, for a data-subject erasure: afterwards no key of the pool mentions them.
  Each visit's live lease ends WITHOUT an 'ended' event (the lease-history writer must not write
  the visit back to Postgres) and its number rests for cooldownMs from now (or from the lease's
  expiry, if it had already expired unnoticed). The visits leave the recent holders of every
  number, and every event that names them leaves the events stream: acknowledged in the
  lease-history group (in case it was delivered and is pending) and deleted.
  The stream holds only events not yet persisted (ackEvents deletes the rest), so it is short;
  holder and recent hold one field per number of the pool.

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders, most recent first
    KEYS[6] events    STREAM lease events
    KEYS[7] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] cooldownMs
    ARGV[3] consumer group of the lease-history writer
    ARGV[4..n] visitIds

  Output:
    {leasesEnded, holdersForgotten (entries removed from recent lists)}
]]
--- @include "monotonicNow"
--- @include "leaseRecord"
--- @include "filterRecentHolders"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6] }
local now = monotonicNow(KEYS[7], tonumber(ARGV[1]))
local cooldownMs = tonumber(ARGV[2])
local group = ARGV[3]

local forgotten = {}
for i = 4, #ARGV do forgotten[ARGV[i]] = true end

-- Live leases: the whole holder hash, not only byVisit, so a stale index cannot hide one.
local leasesEnded = 0
local holders = redis.call('HGETALL', keys.holder)
for i = 1, #holders, 2 do
  local numberId = holders[i]
  local lease = decodeLease(holders[i + 1])
  if forgotten[lease.visitId] then
    redis.call('HDEL', keys.holder, numberId)
    redis.call('ZREM', keys.leased, numberId)
    redis.call('ZADD', keys.free, math.min(now, lease.expiresAt) + cooldownMs, numberId)
    leasesEnded = leasesEnded + 1
  end
end
for i = 4, #ARGV do redis.call('HDEL', keys.byVisit, ARGV[i]) end

local holdersForgotten = filterRecentHolders(keys.recent, function(entry) return not forgotten[entry[1]] end)

-- Every event carries the visitId field ('note', 'granted', 'ended').
local PAGE = 500
local from = '-'
repeat
  local entries = redis.call('XRANGE', keys.events, from, '+', 'COUNT', PAGE)
  for _, entry in ipairs(entries) do
    local fields = entry[2]
    for j = 1, #fields, 2 do
      if fields[j] == 'visitId' then
        if forgotten[fields[j + 1]] then
          redis.call('XACK', keys.events, group, entry[1])
          redis.call('XDEL', keys.events, entry[1])
        end
        break
      end
    end
  end
  if #entries > 0 then from = '(' .. entries[#entries][1] end
until #entries < PAGE

return { leasesEnded, holdersForgotten }
