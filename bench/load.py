"""Drive a page with wrk (Debian's `wrk`): bounded in time and connections, only against 127.0.0.1.

wrk sends the requests; a small Lua script (written to a temporary file) adds the session cookie, builds each
POST body (a distinct company and mobile per request, the CSRF token of the session), counts the answers by
status, and prints the latency percentiles as JSON when the run ends.
"""

import itertools
import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

LUA = r"""
local cookie = os.getenv("BENCH_COOKIE") or ""
local body_template = os.getenv("BENCH_BODY") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local salt = tonumber(os.getenv("BENCH_SALT") or "0")
local threads = {}
local counter = 0
seq = 0  -- a global: setup() gives each thread its own number
statuses = {}

function setup(thread)
  thread:set("seq", #threads + 1)
  table.insert(threads, thread)
end

function request()
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if method == "POST" then
    counter = counter + 1
    local n = salt * 1000000 + seq * 100000 + counter
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local body = body_template:gsub("{n}", tostring(n)):gsub("{n8}", string.format("%08d", n % 100000000))
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("GET", nil, headers, nil)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do counts[tostring(status)] = (counts[tostring(status)] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local errors = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f, "statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, table.concat(parts, ", "),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
"""
# Each wrk run numbers its requests from a new block, so no two POSTs of one benchmark share a company or a
# mobile: a repeat would be a collision (撞单), which is a different, slower path than a new enquiry.
_RUNS = itertools.count(1)


@dataclass
class Result:
    """One wrk run: latencies in milliseconds, throughput in requests per second."""

    url: str
    connections: int
    seconds: float
    requests: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    rps: float = 0.0
    statuses: dict = field(default_factory=dict)
    socket_errors: int = 0

    def answered(self, *codes: int) -> int:
        return sum(n for status, n in self.statuses.items() if int(status) in codes)

    @property
    def failures(self) -> int:
        """Requests not answered with a 2xx or 3xx, and socket errors (timeouts included)."""
        bad = sum(n for status, n in self.statuses.items() if not 200 <= int(status) < 400)
        return bad + self.socket_errors

    def as_dict(self) -> dict:
        return asdict(self)


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run(url: str, *, connections: int, seconds: float, cookie: str = "", method: str = "GET",
        body: str = "", timeout_s: float = 10) -> Result:
    """Load `url` with `connections` clients for `seconds`. `body` may hold {n} (a number unique to each
    request of the process's first 98 runs) and {n8} (its last eight digits, zero-padded)."""
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError("the benchmark only loads this machine (127.0.0.1)")
    binary = wrk_path()
    if not binary:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk; `make bench` does it)")
    threads = max(1, min(2, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    env = {"BENCH_COOKIE": cookie, "BENCH_BODY": body, "BENCH_METHOD": method, "BENCH_SALT": str(next(_RUNS) % 99),
           "PATH": "/usr/bin:/bin"}
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={int(timeout_s)}s",
               "-s", script.name, url]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 60)
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {url}:\n{finished.stdout}\n{finished.stderr}")
    data = json.loads(line[len("BENCH_JSON "):])
    duration = data["duration_us"] / 1e6
    errors = data["errors"]
    return Result(url=url, connections=connections, seconds=round(duration, 2), requests=data["requests"],
                  p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                  max_ms=data["max_us"] / 1000, rps=data["requests"] / duration if duration else 0.0,
                  statuses=data["statuses"],
                  socket_errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"])


def form_body(fields: dict) -> str:
    """URL-encode a form, keeping the {n}/{n8} placeholders for the Lua script to fill in."""
    encoded = []
    for name, value in fields.items():
        text = quote(str(value), safe="{}")
        encoded.append(f"{quote(name)}={text}")
    return "&".join(encoded)
