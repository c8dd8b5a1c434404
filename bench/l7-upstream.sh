#!/usr/bin/env bash
# Vigil's two L7 upstreams side by side with HAProxy: two `vigil run` processes over the same three
# nginx backends (1 KiB bodies), one with VIGIL_UPSTREAM=yarp and one with VIGIL_UPSTREAM=http1,
# and HAProxy in front of the same backends; wrk rounds interleaved so all three share the machine's
# load alike. Prints each round, then the median req/s and p99 and the ratios.
# Usage: bash bench/l7-upstream.sh   (env: ROUNDS=3, WRK_CONNECTIONS=64, WRK_DURATION_MAIN=10)
source "$(dirname "$0")/lib.sh"
need wrk nginx haproxy dotnet
BACKENDS=(18381 18382 18383)
HAPROXY_PORT=18391 YARP_PORT=18392 HTTP1_PORT=18393 ADMIN_YARP=18394 ADMIN_HTTP1=18395
ROUNDS=${ROUNDS:-3}

start_l7_backends "${BACKENDS[@]}"
start_haproxy_l7 $HAPROXY_PORT "${BACKENDS[@]}"

build_vigil
vigil_l7_config $YARP_PORT $ADMIN_YARP "${BACKENDS[@]}" > "$WORK/vigil-yarp.yaml"
vigil_l7_config $HTTP1_PORT $ADMIN_HTTP1 "${BACKENDS[@]}" > "$WORK/vigil-http1.yaml"
VIGIL_UPSTREAM=yarp "$VIGIL" run -c "$WORK/vigil-yarp.yaml" > "$WORK/vigil-yarp.log" 2>&1 & PIDS+=($!); YARP_PID=$!
VIGIL_UPSTREAM=http1 "$VIGIL" run -c "$WORK/vigil-http1.yaml" > "$WORK/vigil-http1.log" 2>&1 & PIDS+=($!); HTTP1_PID=$!

for p in "${BACKENDS[@]}" $HAPROXY_PORT $YARP_PORT $HTTP1_PORT; do wait_port "$p"; done
echo "L7 round-robin, 1 KiB responses, keep-alive, ${WRK_CONNECTIONS:-64} connections, $(nproc) cores, $(date -u +%F), $ROUNDS interleaved rounds"
for round in $(seq 1 "$ROUNDS"); do
  names=(haproxy vigil-yarp vigil-http1); urls=("http://127.0.0.1:$HAPROXY_PORT/" "http://127.0.0.1:$YARP_PORT/" "http://127.0.0.1:$HTTP1_PORT/")
  # Rotate the order each round so no proxy always runs first or last.
  for i in 0 1 2; do
    j=$(( (i + round) % 3 ))
    printf 'round %s  ' "$round"; run_wrk "${names[$j]}" "${urls[$j]}"
  done
done
ps -o rss= -p "$YARP_PID" | awk '{printf "vigil-yarp RSS after run: %.0f MB\n", $1/1024}'
ps -o rss= -p "$HTTP1_PID" | awk '{printf "vigil-http1 RSS after run: %.0f MB\n", $1/1024}'
echo
awk '{n[$1]++; r[$1, n[$1]]=$2; q[$1, n[$1]]=$3}
  function median(arr, name, cnt,   i, j, t, v) { for (i = 1; i <= cnt; i++) v[i] = arr[name, i];
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((cnt + 1) / 2)] }
  END { for (name in n) { mr[name] = median(r, name, n[name]); mq[name] = median(q, name, n[name]);
          printf "median %-12s %10.0f req/s   p99 %7.2f ms\n", name, mr[name], mq[name] }
        printf "vigil-http1/vigil-yarp: %.2fx req/s, p99 %.2fx\n", mr["vigil-http1"] / mr["vigil-yarp"], mq["vigil-http1"] / mq["vigil-yarp"]
        printf "vigil-http1/haproxy:    %.2fx req/s, p99 %.2fx\n", mr["vigil-http1"] / mr["haproxy"], mq["vigil-http1"] / mq["haproxy"]
        printf "vigil-yarp/haproxy:     %.2fx req/s, p99 %.2fx\n", mr["vigil-yarp"] / mr["haproxy"], mq["vigil-yarp"] / mq["haproxy"] }' "$WORK/results"
