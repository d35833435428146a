"""The Lua scripts of ``DistributedRun``: each changes a run's keys in one atomic Redis step, so
two processes joining, leaving or taking over a dead one's requests never see half a change."""

# Drop members whose heartbeat expired; their in-flight requests go back to the queue.
_PRUNE = """
local requeued = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. ':alive:' .. member) == 0 then
    local inflight = ARGV[1] .. ':inflight:' .. member
    for _, item in ipairs(redis.call('HVALS', inflight)) do
      redis.call('ZADD', KEYS[2], 0, item)
      requeued = requeued + 1
    end
    redis.call('DEL', inflight)
    redis.call('SREM', KEYS[1], member)
  end
end
"""
# KEYS: workers, queue, info, listed, dupefilter. ARGV: base, me, run id, started, command, ttl.
JOIN = _PRUNE + """
local fresh = 0
if redis.call('SCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  redis.call('HSET', KEYS[3], 'id', ARGV[3], 'started', ARGV[4], 'command', ARGV[5])
  fresh = 1
end
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('SET', ARGV[1] .. ':alive:' .. ARGV[2], '1', 'EX', ARGV[6])
local lister = redis.call('HSETNX', KEYS[3], 'lister', ARGV[2])
return {redis.call('HGET', KEYS[3], 'id'), fresh, lister, requeued}
"""
# KEYS: workers, queue. ARGV: base.
RECOVER = _PRUNE + "return requeued"
# KEYS: workers, queue, info, listed, dupefilter. ARGV: base, me, '1' to put back what is in flight.
LEAVE = """
redis.call('SREM', KEYS[1], ARGV[2])
local inflight = ARGV[1] .. ':inflight:' .. ARGV[2]
if ARGV[3] == '1' then
  for _, item in ipairs(redis.call('HVALS', inflight)) do redis.call('ZADD', KEYS[2], 0, item) end
end
redis.call('DEL', inflight, ARGV[1] .. ':alive:' .. ARGV[2])
local left = redis.call('SCARD', KEYS[1])
if left == 0 then
  redis.call('DEL', KEYS[3], KEYS[4])
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[5]) end
end
return left
"""
