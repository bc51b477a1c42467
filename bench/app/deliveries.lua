-- wrk script of bench/app/run: POSTs one signed webhook delivery again and again, each with its
-- own X-GitHub-Delivery (the store queues each once). The signature covers only the body, so it
-- is computed once, by the caller.
--   wrk ... -s deliveries.lua URL -- BODY_FILE SIGNATURE EVENT DELAY_MS
local counter = 0
local threads = 0
local delay_ms = 0

-- In wrk's main Lua state; each thread has its own state, where `thread_id` is a global.
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Hub-Signature-256"] = args[2]
  wrk.headers["X-GitHub-Event"] = args[3]
  delay_ms = tonumber(args[4]) or 0
  run = tostring(os.time())
end

function request()
  counter = counter + 1
  wrk.headers["X-GitHub-Delivery"] = run .. "-" .. thread_id .. "-" .. counter
  return wrk.format()
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  io.write(string.format("%d responses; acked p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                         summary.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
end
