-- wrk script: replays pre-built requests from a file, each sent once (no reuse of a MessageSid).
-- Usage: wrk -s bench/replay.lua URL -- FILE [AUTHORIZATION]
-- FILE: one request a line, tab-separated: METHOD  PATH  CONTENT-TYPE  X-TWILIO-SIGNATURE  BODY
-- Each wrk thread takes every n-th line. done() prints one JSON line starting with "BENCH_JSON ".

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function split(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(out, field)
  end
  return out
end

function init(args)
  local file, auth = args[1], args[2]
  local nthreads = tonumber(args[3] or "1")
  reqs, idx, wrapped = {}, 0, 0
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == tid then
      local f = split(line)
      local headers = {}
      if f[3] ~= "" then headers["Content-Type"] = f[3] end
      if f[4] ~= "" then headers["X-Twilio-Signature"] = f[4] end
      if auth and auth ~= "" then headers["Authorization"] = auth end
      table.insert(reqs, wrk.format(f[1], f[2], headers, f[5] ~= "" and f[5] or nil))
    end
    n = n + 1
  end
end

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  return reqs[idx]
end

function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(threads) do
    w = w + (t:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "timeouts": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.status, e.connect, e.read, e.write,
    e.timeout, w))
end
