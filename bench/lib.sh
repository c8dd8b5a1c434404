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
ratios() {
  awk 'NR==FNR{rps[$1]=$2; p99[$1]=$3; next} END{
    for (n in rps) if (n!="vigil") {
      printf "vigil/%s: %.2fx req/s, p99 %.2fx\n", n, rps["vigil"]/rps[n], p99["vigil"]/p99[n]
      if (best=="" || rps[n]>rps[best]) best=n }
    if (best!="") printf "vigil/fastest (%s): %.2fx req/s\n", best, rps["vigil"]/rps[best] }' "${RESULTS:-$WORK/results}" /dev/null
}

build_vigil() {
  dotnet publish "$ROOT/src/Vigil/Vigil.csproj" -c Release -o "$WORK/vigil" -nologo -v q >/dev/null
  VIGIL="$WORK/vigil/vigil"
}
