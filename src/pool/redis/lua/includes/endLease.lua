--[[
  Ends the live lease on a number: forgets the holder, remembers it as a recent holder (so a call
  shortly after still reaches the right visit) and appends an 'ended' event for the lease history.
  The caller decides what happens to the number next (back to free, re-granted, or removed).
]]
--- @include "leaseRecord"

-- Newest first. Keeps at most `kept` entries, and (when graceMs is given) none that ended
-- before now - graceMs: holders() could never return them again.
local function rememberEndedHolder(recentKey, numberId, lease, endedAt, now, graceMs, kept)
  local raw = redis.call('HGET', recentKey, numberId)
  local previous = raw and cjson.decode(raw) or {}
  local list = { { lease.visitId, intString(lease.token), intString(lease.startedAt), intString(endedAt) } }
  for _, entry in ipairs(previous) do
    if #list >= kept then break end
    if graceMs == nil or tonumber(entry[4]) >= now - graceMs then list[#list + 1] = entry end
  end
  redis.call('HSET', recentKey, numberId, cjson.encode(list))
end

-- Returns the lease that ended, or nil when the number had no live holder.
local function endLease(keys, numberId, endedAt, reason, now, graceMs, kept)
  local lease = readLease(keys.holder, numberId)
  redis.call('ZREM', keys.leased, numberId)
  if not lease then return nil end
  redis.call('HDEL', keys.holder, numberId)
  if redis.call('HGET', keys.byVisit, lease.visitId) == numberId then
    redis.call('HDEL', keys.byVisit, lease.visitId)
  end
  rememberEndedHolder(keys.recent, numberId, lease, endedAt, now, graceMs, kept)
  redis.call('XADD', keys.events, '*', 'type', 'ended', 'numberId', numberId, 'visitId', lease.visitId,
    'token', lease.token, 'startedAt', lease.startedAt, 'renewedAt', lease.renewedAt, 'at', endedAt,
    'reason', reason)
  return lease
end
