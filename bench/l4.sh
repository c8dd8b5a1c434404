#!/usr/bin/env bash
# L4 pass-through benchmark: Vigil (buffered and splice copy) vs HAProxy `mode tcp` vs nginx `stream`,
# all in front of the same nginx origin on loopback, in the same run.
#   - HTTP 1 KiB over L4: wrk, keep-alive; req/s and p99 (median of ROUNDS interleaved rounds)
#   - bulk: curl of a 64 MiB file, RUNS times per proxy; median MB/s
# Every server is started here from a config in a temp dir and stopped at the end.
# Knobs: BASE_PORT (18080), DURATION (10s), CONNS (50), THREADS (2), ROUNDS (3), RUNS (5), TARGETS, VIGIL_ENV.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=${BASE_PORT:-18080}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
ORIGIN=$BASE
declare -A PORT=([direct]=$BASE [vigil-buffered]=$((BASE + 1)) [vigil-splice]=$((BASE + 2)) [vigil-auto]=$((BASE + 5)) [haproxy]=$((BASE + 3)) [nginx-stream]=$((BASE + 4)))
read -r -a TARGETS <<<"${TARGETS:-direct vigil-buffered vigil-splice vigil-auto haproxy nginx-stream}" # haproxy must stay: ratios are against it
# Extra environment for the Vigil processes, e.g. VIGIL_ENV="DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1".
VIGIL_ENV=${VIGIL_ENV:-}

for tool in wrk curl haproxy nginx dotnet; do
  command -v "$tool" >/dev/null || { echo "missing $tool (Debian: apt-get install wrk curl haproxy nginx)" >&2; exit 1; }
done
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
if [ ! -e "$STREAM_MODULE" ]; then
  # Debian builds nginx's stream module as a separate package.
  if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnginx-mod-stream >/dev/null
  else echo "missing $STREAM_MODULE (apt-get install libnginx-mod-stream)" >&2; exit 1; fi
fi

tmp=$(mktemp -d /tmp/vigil-l4bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "building bench host..." >&2
dotnet build bench/Vigil.L4Bench -c Release -nologo -v q >/dev/null
VIGIL=bench/Vigil.L4Bench/bin/Release/net10.0/Vigil.L4Bench.dll

mkdir -p "$tmp/www"
head -c 1024 /dev/urandom >"$tmp/www/1k"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$tmp/www/64m"

cat >"$tmp/origin.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $tmp/origin.pid;
error_log $tmp/origin.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 10000000;
  server { listen 127.0.0.1:$ORIGIN; root $tmp/www; }
}
EOF
cat >"$tmp/stream.conf" <<EOF
load_module $STREAM_MODULE;
user root;
worker_processes 2;
daemon off;
pid $tmp/stream.pid;
error_log $tmp/stream.err warn;
events { worker_connections 4096; }
stream { server { listen 127.0.0.1:${PORT[nginx-stream]}; proxy_pass 127.0.0.1:$ORIGIN; } }
EOF
cat >"$tmp/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${PORT[haproxy]}
  default_backend be
backend be
  server origin 127.0.0.1:$ORIGIN
EOF

declare -A PID
nginx -p "$tmp" -c "$tmp/origin.conf" & pids+=($!); PID[direct]=$!
nginx -p "$tmp" -c "$tmp/stream.conf" & pids+=($!); PID[nginx-stream]=$!
haproxy -f "$tmp/haproxy.cfg" -db & pids+=($!); PID[haproxy]=$!
for mode in buffered splice auto; do
  env $VIGIL_ENV dotnet "$VIGIL" --listen "127.0.0.1:${PORT[vigil-$mode]}" --backend "127.0.0.1:$ORIGIN" --copy $mode >"$tmp/vigil-$mode.log" & pids+=($!); PID[vigil-$mode]=$!
done

source "$(dirname "$0")/cpu.sh"   # cpu_ticks, HZ

for t in "${TARGETS[@]}"; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[$t]}/1k" && continue 2
    sleep 0.1
  done
  echo "$t did not come up on port ${PORT[$t]}" >&2
  exit 1
done

# wrk's p99 to milliseconds ("850.00us", "1.23ms", "1.01s").
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f", v }'; }
median() { sort -g | awk '{ a[NR]=$1 } END { if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

declare -A RPS P99 MBS CPU_REQ BULK_TICKS
for t in "${TARGETS[@]}"; do wrk -t1 -c4 -d2s "http://127.0.0.1:${PORT[$t]}/1k" >/dev/null; done # warm up (JIT, caches)
for round in $(seq "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    before=$(cpu_ticks "${PID[$t]}")
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:${PORT[$t]}/1k")
    ticks=$(($(cpu_ticks "${PID[$t]}") - before))
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    CPU_REQ[$t]+="$(awk -v t="$ticks" -v hz="$HZ" -v n="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }') "
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)
    echo "round $round $t: $rps req/s, p99 $p99 ms" >&2
    RPS[$t]+="$rps "
    P99[$t]+="$p99 "
  done
done
for run in $(seq "$RUNS"); do
  for t in "${TARGETS[@]}"; do
    before=$(cpu_ticks "${PID[$t]}")
    bps=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:${PORT[$t]}/64m")
    ticks=$(($(cpu_ticks "${PID[$t]}") - before))
    BULK_TICKS[$t]=$((${BULK_TICKS[$t]:-0} + ticks))
    mbs=$(awk -v b="$bps" 'BEGIN { printf "%.1f", b / 1048576 }')
    echo "bulk $run $t: $mbs MiB/s" >&2
    MBS[$t]+="$mbs "
  done
done

ha_rps=$(tr ' ' '\n' <<<"${RPS[haproxy]}" | grep . | median)
ha_mbs=$(tr ' ' '\n' <<<"${MBS[haproxy]}" | grep . | median)
echo
echo "L4 pass-through, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), wrk -t$THREADS -c$CONNS -d$DURATION (median of $ROUNDS rounds), 64 MiB curl (median of $RUNS)"
echo "CPU columns: the server's own user+system time (origin's for 'direct') per request and per GiB relayed."
echo
echo "| target | req/s (1 KiB) | p99 ms | MiB/s (64 MiB) | req/s vs HAProxy | MiB/s vs HAProxy | CPU µs/req | CPU s/GiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for t in "${TARGETS[@]}"; do
  rps=$(tr ' ' '\n' <<<"${RPS[$t]}" | grep . | median)
  p99=$(tr ' ' '\n' <<<"${P99[$t]}" | grep . | median)
  mbs=$(tr ' ' '\n' <<<"${MBS[$t]}" | grep . | median)
  creq=$(tr ' ' '\n' <<<"${CPU_REQ[$t]}" | grep . | median)
  # Summed over all runs: one 64 MiB transfer is only a few clock ticks.
  cgib=$(awk -v t="${BULK_TICKS[$t]}" -v hz="$HZ" -v runs="$RUNS" 'BEGIN { printf "%.3f", t / hz / (runs / 16) }')
  awk -v t="$t" -v r="$rps" -v p="$p99" -v m="$mbs" -v hr="$ha_rps" -v hm="$ha_mbs" -v cr="$creq" -v cg="$cgib" \
    'BEGIN { printf "| %s | %.0f | %.2f | %.1f | %.2f× | %.2f× | %.1f | %.2f |\n", t, r, p, m, r / hr, m / hm, cr, cg }'
done
