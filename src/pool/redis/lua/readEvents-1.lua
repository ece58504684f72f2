--[[
  Reads lease events for the history writer through a consumer group, at least once:
  first this consumer's own unacknowledged entries (it crashed or failed before ack), else
  entries idle longer than minIdleMs claimed from consumers that died, else new entries.
  The group is created on first use, starting from the stream's beginning.

  Input:
    KEYS[1] events    STREAM lease events

    ARGV[1] group name
    ARGV[2] consumer name (stable per process)
    ARGV[3] max entries
    ARGV[4] minIdleMs before another consumer's pending entry is claimed

  Output:
    {{id, {field, value, ...}}, ...} oldest first
]]
local stream, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local max = tonumber(ARGV[3])

local created = redis.pcall('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP', 1, true) then
  return redis.error_reply(created.err)
end

-- Entries deleted while still pending come back without fields; acknowledge them away.
local function present(entries)
  local out = {}
  for _, entry in ipairs(entries or {}) do
    if type(entry) == 'table' and entry[2] then
      out[#out + 1] = entry
    elseif type(entry) == 'table' then
      redis.call('XACK', stream, group, entry[1])
    end
  end
  return out
end

local function readGroup(fromId)
  local reply = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', max, 'STREAMS', stream, fromId)
  return reply and present(reply[1][2]) or {}
end

local entries = readGroup('0')
if #entries == 0 then
  local claimed = redis.call('XAUTOCLAIM', stream, group, consumer, ARGV[4], '0-0', 'COUNT', max)
  entries = present(claimed[2])
end
if #entries == 0 then
  entries = readGroup('>')
end
return entries
