-- wrk: GET of the URL given on the command line, each request with the next API key of the file
-- BENCH_KEYS_FILE (one per line), so that many keys share the load (bench/limiter.sh).
local keys = {}
for line in io.lines(os.getenv("BENCH_KEYS_FILE")) do
  keys[#keys + 1] = line
end
local i = math.random(#keys)

function request()
  i = i % #keys + 1
  wrk.headers["X-API-Key"] = keys[i]
  return wrk.format(nil)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end
