# Shared pieces of the side-by-side load scripts: temp dirs, free ports, wrk parsing, process cleanup.
# Sourced by bench/*.sh; everything binds to 127.0.0.1 and is killed on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/vigil-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

need() { for c in "$@"; do command -v "$c" >/dev/null || { echo "missing $c: apt-get install it (see scripts/test.sh)" >&2; exit 1; }; done; }

wait_port() { # wait_port PORT: up to 10 s
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 did not open" >&2; return 1
}

source "$(dirname "${BASH_SOURCE[0]}")/cpu.sh"

# run_wrk NAME URL [PID]: prints "NAME req/s p99_ms MB/s [CPU µs/req]" and appends "NAME rps p99 mbs cpu_us"
# to $RESULTS (default $WORK/results). With PID, the server's CPU time over the measured run (the
# process and its children, e.g. nginx workers) divided by the requests wrk counted.
run_wrk() {
  local name=$1 url=$2 pid=${3:-} out before=0 ticks cpu=0
  wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION:-3}s" --latency "$url" >/dev/null 2>&1 || true # warm-up
  [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  out=$(wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION_MAIN:-10}s" --latency "$url")
  local rps p99 mbs non2xx requests
  rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  if [[ -n $pid ]]; then
    ticks=$(($(cpu_ticks "$pid") - before))
    cpu=$(awk -v t="$ticks" -v hz="$HZ" -v n="$requests" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  fi
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  # wrk prints Transfer/sec in binary units (B, KB, MB, GB = 1024^n); report MiB/s
  mbs=$(awk '/^Transfer\/sec:/{v=$2; f=1/1048576; if (v ~ /GB$/) f=1024; else if (v ~ /MB$/) f=1; else if (v ~ /KB$/) f=1/1024;
    sub(/[KMG]?B$/,"",v); print v*f}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  printf '%-12s %12.0f req/s   p99 %8.2f ms   %9.1f MB/s   CPU %7.2f µs/req   non-2xx %s\n' "$name" "$rps" "$p99" "$mbs" "$cpu" "$non2xx"
  echo "$name $rps $p99 $mbs $cpu" >> "${RESULTS:-$WORK/results}"
}

# ratios: Vigil's median req/s, p99 and CPU per request relative to each other server's median
# (several rounds may have appended a line per server per round)
ratios() {
  sort -k1,1 -k2,2n "${RESULTS:-$WORK/results}" | awk '
    { n=$1; r[n]=r[n] " " $2; p[n]=p[n] " " $3; c[n]=c[n] " " $5 }
    function median(list,   a, k, i, j, t) { k=split(list, a, " ");
      for (i=1;i<=k;i++) for (j=i+1;j<=k;j++) if (a[j]+0<a[i]+0) { t=a[i]; a[i]=a[j]; a[j]=t }
      return k%2 ? a[(k+1)/2] : (a[k/2]+a[k/2+1])/2 }
    END {
      for (n in r) { mr[n]=median(r[n]); mp[n]=median(p[n]); mc[n]=median(c[n]); rounds=split(r[n], x, " ") }
      for (n in r) printf "median of %d rounds: %-12s %8.0f req/s   p99 %7.2f ms   CPU %6.2f µs/req\n", rounds, n, mr[n], mp[n], mc[n]
      for (n in r) if (n!="vigil") {
        printf "vigil/%s: %.2fx req/s, p99 %.2fx, CPU/req %.2fx\n", n, mr["vigil"]/mr[n], mp["vigil"]/mp[n], (mc[n] > 0 ? mc["vigil"]/mc[n] : 0)
        if (n !~ /^vigil/ && (best=="" || mr[n]>mr[best])) best=n }
      if (best!="") printf "vigil/fastest (%s): %.2fx req/s\n", best, mr["vigil"]/mr[best] }'
}

# start_vigil_before CONFIG LOG: when VIGIL_BEFORE (a git revision) is set, publishes Vigil at that
# revision and runs it with CONFIG, so a change is measured against its base in the same run
# ("vigil-before" in the results). Sets VIGIL_BEFORE_PID.
start_vigil_before() {
  [[ -n ${VIGIL_BEFORE:-} ]] || return 0
  git -C "$ROOT" worktree add -q --detach "$WORK/before-src" "$VIGIL_BEFORE"
  dotnet publish "$WORK/before-src/src/Vigil/Vigil.csproj" -c Release -o "$WORK/before" -nologo -v q >/dev/null
  git -C "$ROOT" worktree remove --force "$WORK/before-src"
  "$WORK/before/vigil" run -c "$1" > "$2" 2>&1 & PIDS+=($!)
  VIGIL_BEFORE_PID=$!
}

build_vigil() {
  dotnet publish "$ROOT/src/Vigil/Vigil.csproj" -c Release -o "$WORK/vigil" -nologo -v q >/dev/null
  VIGIL="$WORK/vigil/vigil"
}

# --- the L7 setup shared by l7.sh and l7-upstream.sh ---------------------------------------------
# start_l7_backends PORT...: one nginx (1 worker) answering 1 KiB on each port
start_l7_backends() {
  local body; body=$(head -c 1024 /dev/zero | tr '\0' 'x')
  mkdir -p "$WORK/nginx-b"
  {
    echo "worker_processes 1; daemon off; pid $WORK/nginx-b/pid; error_log $WORK/nginx-b/error.log;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; keepalive_requests 100000;"
    for p in "$@"; do echo "  server { listen 127.0.0.1:$p; location / { default_type text/plain; return 200 '$body'; } }"; done
    echo "}"
  } > "$WORK/nginx-b/nginx.conf"
  nginx -c "$WORK/nginx-b/nginx.conf" -p "$WORK/nginx-b" & PIDS+=($!)
}

# start_haproxy_l7 PORT BACKEND_PORT...: HAProxy mode http, round-robin, connection reuse
start_haproxy_l7() {
  local port=$1; shift
  {
    printf 'global\n  nbthread 2\ndefaults\n  mode http\n  timeout connect 3s\n  timeout client 30s\n  timeout server 30s\n'
    printf '  option forwardfor\n  http-reuse always\nfrontend www\n  bind 127.0.0.1:%s\n  default_backend web\n' "$port"
    printf 'backend web\n  balance roundrobin\n'
    for p in "$@"; do echo "  server b$p 127.0.0.1:$p"; done
  } > "$WORK/haproxy.cfg"
  haproxy -f "$WORK/haproxy.cfg" -db & PIDS+=($!)
}

# vigil_l7_config PORT ADMIN_PORT BACKEND_PORT...: a vigil.yaml balancing the backends round-robin
vigil_l7_config() {
  local port=$1 admin=$2; shift 2
  echo "node: { name: bench }"
  echo "admin: { listen: 127.0.0.1:$admin }"
  echo "pools:"
  echo "  web:"
  echo "    scheduler: round-robin"
  echo "    backends:"
  for p in "$@"; do echo "      - { address: 127.0.0.1:$p }"; done
  echo "    health: { type: tcp, interval: 2s, timeout: 1s }"
  echo "listeners:"
  echo "  - name: www"
  echo "    protocol: http"
  echo "    listen: 127.0.0.1:$port"
  echo "    routes:"
  echo "      - { match: { path_prefix: / }, pool: web }"
}
