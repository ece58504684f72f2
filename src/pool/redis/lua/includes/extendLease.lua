--[[
  Renews a live lease (same token) and builds the lease reply shared by lease and heartbeat:
  {code, numberId, visitId, token, startedAt, renewedAt, expiresAt}.
]]
--- @include "leaseRecord"

local function extendLease(keys, numberId, lease, now, leaseMs)
  lease.renewedAt = now
  lease.expiresAt = now + leaseMs
  redis.call('HSET', keys.holder, numberId, encodeLease(lease))
  redis.call('ZADD', keys.leased, lease.expiresAt, numberId)
  return lease
end

local function leaseReply(code, numberId, lease)
  return { code, numberId, lease.visitId, lease.token, lease.startedAt, lease.renewedAt, lease.expiresAt }
end
