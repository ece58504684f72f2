--[[
  Who held a number around now, for attributing a call: its live lease, and the holders whose
  lease ended at or after now - graceMs. Expired leases are reclaimed first.

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease (JSON)
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> JSON list of ended holders, most recent first
    KEYS[6] events    STREAM lease events
    KEYS[7] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] cooldownMs
    ARGV[3] graceMs
    ARGV[4] how many ended holders to remember per number
    ARGV[5] numberId

  Output (flat; no nils, which RESP2 and RESP3 clients would decode differently):
    {liveCount (0 or 1), [visitId, token, startedAt, renewedAt, expiresAt],
     then per recent holder, most recent first: visitId, token, startedAt, endedAt}
]]
--- @include "monotonicNow"
--- @include "reclaimExpired"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4],
  recent = KEYS[5], events = KEYS[6] }
local now = monotonicNow(KEYS[7], tonumber(ARGV[1]))
local graceMs = tonumber(ARGV[3])
local numberId = ARGV[5]

reclaimExpired(keys, now, tonumber(ARGV[2]), graceMs, tonumber(ARGV[4]))

local reply = { 0 }
local live = readLease(keys.holder, numberId)
if live then
  reply = { 1, live.visitId, live.token, live.startedAt, live.renewedAt, live.expiresAt }
end

local raw = redis.call('HGET', keys.recent, numberId)
if raw then
  for _, entry in ipairs(cjson.decode(raw)) do
    local endedAt = tonumber(entry[4])
    if endedAt >= now - graceMs then
      reply[#reply + 1] = entry[1]
      reply[#reply + 1] = tonumber(entry[2])
      reply[#reply + 1] = tonumber(entry[3])
      reply[#reply + 1] = endedAt
    end
  end
end
return reply
