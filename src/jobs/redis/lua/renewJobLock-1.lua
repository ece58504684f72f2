--[[
  Extends a job's lock for another lease, only for the holder whose fencing token is given: a holder
  whose lease lapsed (and whose lock another instance may have taken since) must stop, not extend.

  Input:
    KEYS[1] lock    STRING the holder's fencing token

    ARGV[1] fencing token of the caller
    ARGV[2] leaseMs, from now

  Output:
    {RENEWED}
    {NOT_HOLDER}
]]
--- @include "jobLockCodes"

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return { JobLockCode.NOT_HOLDER }
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { JobLockCode.RENEWED }
