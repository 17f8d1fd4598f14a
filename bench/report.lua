-- wrk: print one JSON line with throughput, latency percentiles (ms) and errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "rps": %.2f, "bytes": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6), summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
