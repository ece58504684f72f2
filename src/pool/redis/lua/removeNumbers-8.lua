--[[
  Takes numbers out of the pool. A live lease on a removed number ends with reason 'removed' at
  now, or, if it had already expired unnoticed, with reason 'expired' at its expiresAt. Recent
  holders and the generation stay, so a late call is still attributed and a re-added number never
  reuses a fencing token.

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders
    KEYS[6] events    STREAM lease events
    KEYS[7] members   SET every number in the pool
    KEYS[8] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] how many ended holders to remember per number
    ARGV[3..n] numberIds

  Output:
    how many numbers were in the pool
]]
--- @include "monotonicNow"
--- @include "endLease"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6], members = KEYS[7] }
local now = monotonicNow(KEYS[8], tonumber(ARGV[1]))
local kept = tonumber(ARGV[2])

local removed = 0
for i = 3, #ARGV do
  local numberId = ARGV[i]
  local expiresAt = redis.call('ZSCORE', keys.leased, numberId)
  if expiresAt then
    expiresAt = tonumber(expiresAt)
    if expiresAt <= now then
      endLease(keys, numberId, expiresAt, 'expired', now, nil, kept)
    else
      endLease(keys, numberId, now, 'removed', now, nil, kept)
    end
  end
  redis.call('ZREM', keys.free, numberId)
  removed = removed + redis.call('SREM', keys.members, numberId)
end
return removed
