--[[
  Counts for the pool's dashboard and capacity alerts. Expired leases are reclaimed first so
  that a lease nobody renewed is not counted as leased.

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders
    KEYS[6] events    STREAM lease events
    KEYS[7] members   SET every number in the pool
    KEYS[8] exhausted STRING exhaustion counter
    KEYS[9] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] cooldownMs
    ARGV[3] graceMs
    ARGV[4] how many ended holders to remember per number

  Output:
    {total, leased, available, coolingDown, exhaustedCount}
]]
--- @include "monotonicNow"
--- @include "reclaimExpired"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6], members = KEYS[7], exhausted = KEYS[8] }
local now = monotonicNow(KEYS[9], tonumber(ARGV[1]))

reclaimExpired(keys, now, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))

return {
  redis.call('SCARD', keys.members),
  redis.call('ZCARD', keys.leased),
  redis.call('ZCOUNT', keys.free, '-inf', now),
  redis.call('ZCOUNT', keys.free, '(' .. now, '+inf'),
  tonumber(redis.call('GET', keys.exhausted) or '0'),
}
