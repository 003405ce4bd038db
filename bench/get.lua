-- wrk: GET of the URL given on the command line, with the API key of BENCH_KEY, or each request
-- with the next key of BENCH_KEYS_FILE (bench/common.lua); no key when neither is set.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local keys = common.keys()

if #keys == 1 then
  wrk.headers["X-API-Key"] = keys[1]
elseif #keys > 1 then
  local i = math.random(#keys)
  function request()
    i = i % #keys + 1
    wrk.headers["X-API-Key"] = keys[i]
    return wrk.format(nil)
  end
end

done = common.done
