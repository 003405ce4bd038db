-- wrk: GET of the URL given on the command line, with the API key when BENCH_KEY is set.
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["X-API-Key"] = key
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end
