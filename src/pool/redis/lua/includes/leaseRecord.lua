--[[
  How a live lease is stored in the holder hash (numberId -> JSON array).
  Times and tokens are kept as integer strings: Lua's tostring() and cjson print numbers with
  only 14 significant digits on Redis < 7, which would round epoch milliseconds.
]]
local function intString(n)
  return string.format('%d', n)
end

local function encodeLease(lease)
  return cjson.encode({ lease.visitId, intString(lease.token), intString(lease.startedAt),
    intString(lease.renewedAt), intString(lease.expiresAt) })
end

local function decodeLease(raw)
  local f = cjson.decode(raw)
  return { visitId = f[1], token = tonumber(f[2]), startedAt = tonumber(f[3]),
    renewedAt = tonumber(f[4]), expiresAt = tonumber(f[5]) }
end

-- Returns the decoded lease, or nil when the number has no live holder.
local function readLease(holderKey, numberId)
  local raw = redis.call('HGET', holderKey, numberId)
  if not raw then return nil end
  return decodeLease(raw)
end

-- The number the visit holds a live lease on, and that lease; nil when it holds none.
local function liveLeaseOfVisit(keys, visitId)
  local numberId = redis.call('HGET', keys.byVisit, visitId)
  if not numberId then return nil end
  local lease = readLease(keys.holder, numberId)
  if lease and lease.visitId == visitId then return numberId, lease end
  -- A stale index entry can only come from a bug elsewhere; drop it rather than trust it.
  redis.call('HDEL', keys.byVisit, visitId)
  return nil
end
