-- wrk: POST /v1/clients with a unique name per request, with the API key of BENCH_KEY, or each
-- request with the next key of BENCH_KEYS_FILE, so that creates are spread over the keys'
-- organizations (bench/scale.py, "tenants"). BENCH_RUN: a run id, so names never repeat across
-- runs.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local keys = common.keys()
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
function request()
  n = n + 1
  -- Each thread starts at another key, then takes them in turn.
  local key = keys[((tid or 0) * 7 + n) % #keys + 1]
  local body = string.format(
    '{"name":"bench %s %d %d","type":"benchmark","subscription_plan":"Pro","contact_email":"ops@example.com","phone_number":"+1 (555) 123-4567"}',
    run, tid or 0, n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-API-Key"] = key}, body)
end

done = common.done
