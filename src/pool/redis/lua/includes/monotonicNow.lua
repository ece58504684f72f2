--[[
  A pool's clock never runs backwards. App instances read their clocks before their request reaches
  Redis, so a request can arrive with a `now` a few milliseconds older than one already applied; using
  it would end a lease before it started, or start a lease before its predecessor ended. Every script
  that acts on time takes max(its now, the latest now this pool has seen).
]]
local function monotonicNow(clockKey, now)
  local seen = tonumber(redis.call('GET', clockKey) or '0')
  if now <= seen then return seen end
  redis.call('SET', clockKey, string.format('%d', now))
  return now
end
