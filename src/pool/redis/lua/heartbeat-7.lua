--[[
  Extends the visit's live lease if it still holds it under the given token (fencing: a visit
  whose lease expired or was displaced must not keep advertising the number).
  Expired leases are reclaimed first.

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders
    KEYS[6] events    STREAM lease events
    KEYS[7] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] cooldownMs
    ARGV[3] graceMs
    ARGV[4] how many ended holders to remember per number
    ARGV[5] leaseMs
    ARGV[6] visitId
    ARGV[7] token the visit was granted

  Output:
    {RENEWED, numberId, visitId, token, startedAt, renewedAt, expiresAt}
    {LOST}
]]
--- @include "monotonicNow"
--- @include "resultCodes"
--- @include "reclaimExpired"
--- @include "extendLease"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6] }
local now = monotonicNow(KEYS[7], tonumber(ARGV[1]))
local leaseMs = tonumber(ARGV[5])
local visitId = ARGV[6]
local token = tonumber(ARGV[7])

reclaimExpired(keys, now, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))

local numberId, lease = liveLeaseOfVisit(keys, visitId)
if not numberId or lease.token ~= token then
  return { ResultCode.LOST }
end
return leaseReply(ResultCode.RENEWED, numberId, extendLease(keys, numberId, lease, now, leaseMs))
