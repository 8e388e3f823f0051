-- wrk script for bench/ingest.ts: POSTs an OpsLevel-style custom deploy with a dedup_id no other
-- request of the whole benchmark carries (run prefix given as the script's argument, then the
-- wrk thread's number, then a counter), and prints the run's figures as one JSON line at the end.
--   wrk -t1 -c50 -d5s -s bench/wrk-deploy.lua http://127.0.0.1:PORT/integrations/deploy/ID -- <prefix>

local threads = {}
local counter = 0
local prefix = "bench"
local stamp, stamp_at = "", -1

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = (args[1] or "bench") .. "-t" .. tostring(thread_id or 0) .. "-"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  -- Whole seconds are enough for deployed_at; formatting once per second keeps the generator cheap.
  local now = os.time()
  if now ~= stamp_at then
    stamp_at = now
    stamp = os.date("!%Y-%m-%dT%H:%M:%SZ", now)
  end
  local body = '{"service":"checkout","description":"Deployed by CI","deployed_at":"' .. stamp ..
    '","environment":"Production","deployer":{"email":"ci@example.com","name":"CI"},"dedup_id":"' ..
    prefix .. counter .. '"}'
  return wrk.format(nil, nil, nil, body)
end

-- The latency distribution as 1,000 quantiles (0.05%, 0.15%, ... 99.95%, in µs) of wrk's own
-- histogram: Debian's wrk gives Lua no access to the buckets, and quantiles let rounds be merged.
function done(summary, latency, requests)
  local quantiles = {}
  if summary.requests > 0 then
    for k = 1, 1000 do
      quantiles[k] = string.format("%d", latency:percentile((k - 0.5) / 10))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"duration_us":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"cpu_s":%.6f,"p50_us":%d,"p99_us":%d,"quantiles_us":[%s]}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    os.clock(), latency:percentile(50), latency:percentile(99), table.concat(quantiles, ",")))
end
