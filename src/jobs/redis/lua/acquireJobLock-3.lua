--[[
  Takes a job's lock (a lease) unless another holder has it, and for a scheduled tick claims that tick
  in the same step, so a tick one instance ran is not run again by a later one. Every grant gets the
  job's next fencing token.

  Input:
    KEYS[1] lock    STRING the holder's fencing token; expires when the lease lapses
    KEYS[2] fence   STRING the last fencing token handed out (never expires)
    KEYS[3] tick    STRING present once the tick was claimed (ignored when ARGV[2] is 0)

    ARGV[1] leaseMs
    ARGV[2] how long the tick claim is remembered, ms; 0 = a run outside the schedule, no tick

  Output:
    {ACQUIRED, token}
    {HELD}
    {TICK_TAKEN}
]]
--- @include "jobLockCodes"

if redis.call('EXISTS', KEYS[1]) == 1 then
  return { JobLockCode.HELD }
end
local tickTtlMs = tonumber(ARGV[2])
if tickTtlMs > 0 and redis.call('EXISTS', KEYS[3]) == 1 then
  return { JobLockCode.TICK_TAKEN }
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
if tickTtlMs > 0 then
  redis.call('SET', KEYS[3], token, 'PX', tickTtlMs)
end
return { JobLockCode.ACQUIRED, token }
