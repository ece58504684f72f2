--[[
  Lets go of a job's lock, only for the holder whose fencing token is given: a late release from a
  holder whose lease lapsed must not free the lock of the instance that took it over.

  Input:
    KEYS[1] lock    STRING the holder's fencing token

    ARGV[1] fencing token of the caller

  Output:
    {RELEASED}
    {NOT_HOLDER}
]]
--- @include "jobLockCodes"

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return { JobLockCode.NOT_HOLDER }
end
redis.call('DEL', KEYS[1])
return { JobLockCode.RELEASED }
