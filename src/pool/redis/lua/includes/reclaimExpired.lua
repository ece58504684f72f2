--[[
  Ends every lease whose expiresAt <= now, oldest first, as if it had ended exactly at its
  expiresAt, and returns its number to the free set to rest for cooldownMs from then.
  Every script that reads or hands out leases runs this first, so no timer is needed.
]]
--- @include "endLease"

local function reclaimExpired(keys, now, cooldownMs, graceMs, kept)
  local expired = redis.call('ZRANGEBYSCORE', keys.leased, '-inf', now, 'WITHSCORES')
  for i = 1, #expired, 2 do
    local numberId = expired[i]
    local endedAt = tonumber(expired[i + 1])
    endLease(keys, numberId, endedAt, 'expired', now, graceMs, kept)
    redis.call('ZADD', keys.free, endedAt + cooldownMs, numberId)
  end
end
