--[[
  Keeps, on every number of the pool, only the recent holders `keep(entry)` accepts (entry =
  { visitId, token, startedAt, endedAt }); a number left with none loses its field. Returns how many
  entries were dropped. Used by retention (holders ended before a cutoff) and erasure (named visits).
]]
local function filterRecentHolders(recentKey, keep)
  local dropped = 0
  local recent = redis.call('HGETALL', recentKey)
  for i = 1, #recent, 2 do
    local kept = {}
    local list = cjson.decode(recent[i + 1])
    for _, entry in ipairs(list) do
      if keep(entry) then kept[#kept + 1] = entry end
    end
    if #kept < #list then
      dropped = dropped + #list - #kept
      if #kept == 0 then
        redis.call('HDEL', recentKey, recent[i])
      else
        redis.call('HSET', recentKey, recent[i], cjson.encode(kept))
      end
    end
  end
  return dropped
end
