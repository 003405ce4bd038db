-- Shared by the wrk scripts (loaded with dofile from the script's own directory).
local M = {}

-- The API keys to send: the lines of BENCH_KEYS_FILE (each request takes the next, so that many
-- keys share the load), else BENCH_KEY (none when unset or empty).
function M.keys()
  local keys = {}
  local file = os.getenv("BENCH_KEYS_FILE")
  if file and file ~= "" then
    for line in io.lines(file) do
      keys[#keys + 1] = line
    end
  else
    local key = os.getenv("BENCH_KEY")
    if key and key ~= "" then
      keys[1] = key
    end
  end
  return keys
end

-- wrk's `done`: one line the bench scripts parse, "RESULT req/s p50_ms p99_ms non2xx errors".
function M.done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end

return M
