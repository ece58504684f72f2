--[[
  Adds numbers to the pool as free and immediately available. A number already in the pool is
  left as it is (it may be leased or resting).

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] members   SET every number in the pool

    ARGV[1..n] numberIds

  Output:
    how many numbers were new
]]
local added = 0
for _, numberId in ipairs(ARGV) do
  if redis.call('SADD', KEYS[2], numberId) == 1 then
    redis.call('ZADD', KEYS[1], 0, numberId)
    added = added + 1
  end
end
return added
