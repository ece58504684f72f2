--[[
  Retention: forgets the recent holders whose lease ended before the cutoff, on every number of
  the pool (a number whose list becomes empty loses its field). Leases that expired unnoticed are
  reclaimed first, as every script does, so an old visit cannot linger as a live holder either;
  their 'ended' events go to the stream as usual, for the lease history.
  The cutoff is in the past, so it also serves as the reclaim time (the pool's own clock, if later).

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders, most recent first
    KEYS[6] events    STREAM lease events
    KEYS[7] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] cutoff, epoch ms: holders with endedAt < cutoff are forgotten
    ARGV[2] cooldownMs
    ARGV[3] graceMs
    ARGV[4] how many ended holders to remember per number

  Output:
    how many recent-holder entries were removed
]]
--- @include "monotonicNow"
--- @include "reclaimExpired"
--- @include "filterRecentHolders"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6] }
local cutoff = tonumber(ARGV[1])
local now = monotonicNow(KEYS[7], cutoff)

reclaimExpired(keys, now, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))

return filterRecentHolders(keys.recent, function(entry) return tonumber(entry[4]) >= cutoff end)
