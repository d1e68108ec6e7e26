-- wrk script: POST /api/transfer with a random pair of distinct accounts
-- among ACC-001..ACC-010, 0.01 each (small enough that nothing drains).
-- No Idempotency-Key header, so the app skips its idempotency lookup.

local accounts = {}
for i = 1, 10 do accounts[i] = string.format("ACC-%03d", i) end

local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end

function init(args)
  -- `id` is the global set by setup(): a different stream per thread.
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  for _ = 1, 20 do math.random() end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  local from = math.random(1, 10)
  local to = math.random(1, 9)
  if to >= from then to = to + 1 end -- never from == to
  local body = string.format('{"amount":0.01,"to_account":"%s","from_account":"%s"}',
    accounts[to], accounts[from])
  return wrk.format("POST", "/api/transfer", nil, body)
end
