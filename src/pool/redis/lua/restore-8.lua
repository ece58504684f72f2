--[[
  Rebuilds a pool that lost its Redis state (FLUSHALL, a restart without persistence) from the
  durable record in Postgres. Only numbers missing from the pool are touched, so running it on a
  healthy pool, or twice, changes nothing. A restored lease goes back to its holder with a fresh
  lease lifetime (renewals are not persisted, so its true expiry is unknown: keeping the number with
  its holder is the choice that can never credit a call to the wrong visit).

  Input:
    KEYS[1] free      ZSET numberId -> time it becomes available
    KEYS[2] leased    ZSET numberId -> expiresAt of its live lease
    KEYS[3] holder    HASH numberId -> live lease
    KEYS[4] byVisit   HASH visitId -> numberId
    KEYS[5] recent    HASH numberId -> ended holders, most recent first
    KEYS[6] gen       HASH numberId -> generation (fencing token)
    KEYS[7] members   SET every number in the pool
    KEYS[8] clock     STRING the latest now this pool has seen (see includes/monotonicNow.lua)

    ARGV[1] now, epoch ms
    ARGV[2] leaseMs
    ARGV[3] snapshot JSON with two lists of tuples:
            numbers: each (numberId, generation, availableAt, recentJson), recentJson being the
                     recent-holder list in the encoding of includes/endLease.lua, or '' for none
            leases:  each (numberId, visitId, token, startedAt), leases that had not ended

  Output:
    {numbersRestored, leasesRestored}
]]
--- @include "monotonicNow"
--- @include "leaseRecord"

local keys = { free = KEYS[1], leased = KEYS[2], holder = KEYS[3], byVisit = KEYS[4], recent = KEYS[5],
  gen = KEYS[6], members = KEYS[7] }
local now = monotonicNow(KEYS[8], tonumber(ARGV[1]))
local leaseMs = tonumber(ARGV[2])
local snapshot = cjson.decode(ARGV[3])

local leaseOf = {}
for _, l in ipairs(snapshot.leases) do leaseOf[l[1]] = l end

local numbersRestored, leasesRestored = 0, 0
for _, n in ipairs(snapshot.numbers) do
  local numberId = n[1]
  if redis.call('SADD', keys.members, numberId) == 1 then
    numbersRestored = numbersRestored + 1
    local gen = math.max(tonumber(redis.call('HGET', keys.gen, numberId) or '0'), tonumber(n[2]))
    if n[4] ~= '' and redis.call('HEXISTS', keys.recent, numberId) == 0 then
      redis.call('HSET', keys.recent, numberId, n[4])
    end
    local l = leaseOf[numberId]
    local token = l and tonumber(l[3])
    if l and token >= gen and not redis.call('HGET', keys.byVisit, l[2]) then
      local lease = { visitId = l[2], token = token, startedAt = tonumber(l[4]), renewedAt = now, expiresAt = now + leaseMs }
      redis.call('HSET', keys.holder, numberId, encodeLease(lease))
      redis.call('HSET', keys.byVisit, lease.visitId, numberId)
      redis.call('ZADD', keys.leased, lease.expiresAt, numberId)
      redis.call('ZREM', keys.free, numberId)
      leasesRestored = leasesRestored + 1
    else
      redis.call('ZADD', keys.free, tonumber(n[3]), numberId)
    end
    redis.call('HSET', keys.gen, numberId, string.format('%d', gen))
  end
end
return { numbersRestored, leasesRestored }
