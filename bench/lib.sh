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

# run_wrk NAME URL: prints "NAME req/s p99_ms MB/s" and appends it to $RESULTS (default $WORK/results)
run_wrk() {
  local name=$1 url=$2 out
  wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION:-3}s" --latency "$url" >/dev/null 2>&1 || true # warm-up
  out=$(wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION_MAIN:-10}s" --latency "$url")
  local rps p99 mbs non2xx
  rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  # wrk prints Transfer/sec in binary units (B, KB, MB, GB = 1024^n); report MiB/s
  mbs=$(awk '/^Transfer\/sec:/{v=$2; f=1/1048576; if (v ~ /GB$/) f=1024; else if (v ~ /MB$/) f=1; else if (v ~ /KB$/) f=1/1024;
    sub(/[KMG]?B$/,"",v); print v*f}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  printf '%-10s %12.0f req/s   p99 %8.2f ms   %9.1f MB/s   non-2xx %s\n' "$name" "$rps" "$p99" "$mbs" "$non2xx"
  echo "$name $rps $p99 $mbs" >> "${RESULTS:-$WORK/results}"
}

# ratios: Vigil's req/s and p99 relative to each other entry of $RESULTS, then to the fastest of them
# ratios: Vigil's median req/s and p99 relative to each other server's median (several rounds may
# have appended a line per server per round)
ratios() {
  sort -k1,1 -k2,2n "${RESULTS:-$WORK/results}" | awk '
    { n=$1; r[n]=r[n] " " $2; p[n]=p[n] " " $3 }
    function median(list,   a, k, i, j, t) { k=split(list, a, " ");
      for (i=1;i<=k;i++) for (j=i+1;j<=k;j++) if (a[j]+0<a[i]+0) { t=a[i]; a[i]=a[j]; a[j]=t }
      return k%2 ? a[(k+1)/2] : (a[k/2]+a[k/2+1])/2 }
    END {
      for (n in r) { mr[n]=median(r[n]); mp[n]=median(p[n]); rounds=split(r[n], x, " ") }
      if (rounds>1) for (n in r) printf "median of %d rounds: %-10s %8.0f req/s   p99 %7.2f ms\n", rounds, n, mr[n], mp[n]
      for (n in r) if (n!="vigil") {
        printf "vigil/%s: %.2fx req/s, p99 %.2fx\n", n, mr["vigil"]/mr[n], mp["vigil"]/mp[n]
        if (best=="" || mr[n]>mr[best]) best=n }
      if (best!="") printf "vigil/fastest (%s): %.2fx req/s\n", best, mr["vigil"]/mr[best] }'
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
