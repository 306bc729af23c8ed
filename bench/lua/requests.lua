-- wrk script of the benchmarks: each request is picked at random from the lines of the file
-- named by BENCH_REQUESTS ("METHOD<TAB>PATH[<TAB>JSON BODY]"; repeat a line to weight it), sent
-- with the staff token in BENCH_TOKEN (if any) and a unique X-Request-Id "<BENCH_RUN>-<thread>-<n>"
-- (the audit trail keeps it: the harness counts audit rows per request id). done() prints one
-- line "BENCH_JSON {...}" with the counts and the latency percentiles in microseconds.
local token = os.getenv("BENCH_TOKEN") or ""
local run = os.getenv("BENCH_RUN") or "bench"
local source = os.getenv("BENCH_REQUESTS")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  entries = {}
  for line in io.lines(source) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      entries[#entries + 1] = {method = method, path = path, body = body ~= "" and body or nil}
    end
  end
  if #entries == 0 then error("no requests in " .. tostring(source)) end
  math.randomseed(os.time() * 1000 + tid * 7919)
  counter, ok, bad, last_bad = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local entry = entries[math.random(#entries)]
  local headers = {["X-Request-Id"] = run .. "-" .. tid .. "-" .. counter}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if entry.body then headers["Content-Type"] = "application/json" end
  return wrk.format(entry.method, entry.path, headers, entry.body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local n_ok, n_bad, last = 0, 0, 0
  for _, thread in ipairs(threads) do
    n_ok = n_ok + (thread:get("ok") or 0)
    n_bad = n_bad + (thread:get("bad") or 0)
    local status = thread:get("last_bad") or 0
    if status ~= 0 then last = status end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "ok": %d, "bad": %d, "last_bad_status": %d, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
    .. '"latency_us": {"min": %d, "mean": %.1f, "max": %d, "stdev": %.1f, "p50": %d, "p75": %d, '
    .. '"p90": %d, "p95": %d, "p99": %d, "p999": %d}}\n',
    summary.requests, summary.duration, n_ok, n_bad, last,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev, latency:percentile(50),
    latency:percentile(75), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)))
end
