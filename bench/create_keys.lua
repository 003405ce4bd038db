-- wrk: POST /v1/clients with a unique name per request, each request with the next API key of
-- the file BENCH_KEYS_FILE (one per line), round-robin, so that creates are spread over the keys'
-- organizations (bench/scale.py, "tenants").
-- Environment: BENCH_KEYS_FILE, BENCH_RUN (a run id, so names never repeat across runs).
local keys = {}
for line in io.lines(os.getenv("BENCH_KEYS_FILE")) do
  keys[#keys + 1] = line
end
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

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end
