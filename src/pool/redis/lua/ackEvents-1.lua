--[[
  Acknowledges lease events once they are persisted, and deletes them so the stream does not
  grow without bound. Only entries the group actually had pending are deleted: an unknown id
  must never destroy an event no one has persisted yet.

  Input:
    KEYS[1] events    STREAM lease events

    ARGV[1] group name
    ARGV[2..n] entry ids

  Output:
    how many entries were acknowledged
]]
local acked = 0
for i = 2, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    acked = acked + 1
  end
end
return acked
