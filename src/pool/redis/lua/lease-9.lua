--[[
  Leases a number to a visit, or renews the visit's live lease (idempotent per visit, same token).
  Expired leases are reclaimed first. A new lease takes the free number that has been resting the
  longest (lowest availability time <= now; ties broken by numberId). With no number available,
  policy 'overflow' refuses and 'recycle' displaces the lease renewed longest ago; both count the
  exhaustion.

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available (lease end + cool-down; 0 when new)
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON, see includes/leaseRecord.lua)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders, most recent first
    KEYS[6] events    STREAM lease events ('granted', 'ended')
    KEYS[7] gen       HASH numberId -> generation, the fencing token; never reset
    KEYS[8] exhausted STRING how often a lease was asked for while no number was available
    KEYS[9] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] cooldownMs
    ARGV[3] graceMs
    ARGV[4] how many ended holders to remember per number
    ARGV[5] leaseMs
    ARGV[6] exhaustion policy: 'overflow' | 'recycle'
    ARGV[7] visitId
    ARGV[8] note: opaque text appended to the event log as a 'note' event before anything else
            happens, whatever the outcome; empty = none

  Output:
    {GRANTED, numberId, visitId, token, startedAt, renewedAt, expiresAt [, displacedVisitId]}
    {RENEWED, numberId, visitId, token, startedAt, renewedAt, expiresAt}
    {EXHAUSTED}
]]
--- @include "monotonicNow"
--- @include "resultCodes"
--- @include "reclaimExpired"
--- @include "extendLease"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6], gen = KEYS[7], exhausted = KEYS[8] }
local now = monotonicNow(KEYS[9], tonumber(ARGV[1]))
local cooldownMs = tonumber(ARGV[2])
local graceMs = tonumber(ARGV[3])
local kept = tonumber(ARGV[4])
local leaseMs = tonumber(ARGV[5])
local policy = ARGV[6]
local visitId = ARGV[7]
local note = ARGV[8]

local function grantLease(numberId)
  local lease = { visitId = visitId, token = redis.call('HINCRBY', keys.gen, numberId, 1),
    startedAt = now, renewedAt = now, expiresAt = now + leaseMs }
  redis.call('ZREM', keys.free, numberId)
  redis.call('ZADD', keys.leased, lease.expiresAt, numberId)
  redis.call('HSET', keys.holder, numberId, encodeLease(lease))
  redis.call('HSET', keys.byVisit, visitId, numberId)
  redis.call('XADD', keys.events, '*', 'type', 'granted', 'numberId', numberId, 'visitId', visitId,
    'token', lease.token, 'at', now)
  return lease
end

reclaimExpired(keys, now, cooldownMs, graceMs, kept)

if note ~= '' then
  redis.call('XADD', keys.events, '*', 'type', 'note', 'visitId', visitId, 'at', now, 'note', note)
end

local heldNumber, heldLease = liveLeaseOfVisit(keys, visitId)
if heldNumber then
  return leaseReply(ResultCode.RENEWED, heldNumber, extendLease(keys, heldNumber, heldLease, now, leaseMs))
end

local rested = redis.call('ZRANGEBYSCORE', keys.free, '-inf', now, 'LIMIT', 0, 1)[1]
if rested then
  return leaseReply(ResultCode.GRANTED, rested, grantLease(rested))
end

redis.call('INCR', keys.exhausted)
if policy ~= 'recycle' then
  return { ResultCode.EXHAUSTED }
end

-- Lowest expiresAt = renewed longest ago: the visit most likely to have left already.
local oldest = redis.call('ZRANGE', keys.leased, 0, 0)[1]
if not oldest then
  return { ResultCode.EXHAUSTED }
end
local displaced = endLease(keys, oldest, now, 'displaced', now, graceMs, kept)
local reply = leaseReply(ResultCode.GRANTED, oldest, grantLease(oldest))
if displaced then reply[8] = displaced.visitId end
return reply
