#!/usr/bin/env bash
# L7 round-robin proxy, side by side: Vigil vs nginx vs HAProxy in front of the same three
# backends (nginx answering 1 KiB bodies), keep-alive, measured with wrk in one run, with each
# server's CPU time per request.
# Usage: bash bench/l7.sh   (env: VIGIL_BEFORE=<git rev> adds that build as vigil-before; ROUNDS, WRK_CONNECTIONS, WRK_DURATION_MAIN; VIGIL_INLINE_IO=0 or VIGIL_UPSTREAM=yarp for variants)
source "$(dirname "$0")/lib.sh"
need wrk nginx haproxy dotnet
BACKENDS=(18081 18082 18083)
NGINX_PORT=18090 HAPROXY_PORT=18091 VIGIL_PORT=18092 ADMIN_PORT=18093

start_l7_backends "${BACKENDS[@]}"
mkdir -p "$WORK/nginx-p"

cat > "$WORK/nginx-p/nginx.conf" <<CONF
worker_processes 2; daemon off; pid $WORK/nginx-p/pid; error_log $WORK/nginx-p/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000;
  upstream web { $(for p in "${BACKENDS[@]}"; do printf 'server 127.0.0.1:%s; ' "$p"; done) keepalive 64; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://web; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr; } } }
CONF
nginx -c "$WORK/nginx-p/nginx.conf" -p "$WORK/nginx-p" & PIDS+=($!)
NGINX_PID=$!

start_haproxy_l7 $HAPROXY_PORT "${BACKENDS[@]}"
HAPROXY_PID=$!

build_vigil
vigil_l7_config $VIGIL_PORT $ADMIN_PORT "${BACKENDS[@]}" > "$WORK/vigil.yaml"
"$VIGIL" run -c "$WORK/vigil.yaml" > "$WORK/vigil.log" 2>&1 & PIDS+=($!)
VIGIL_PID=$!
BEFORE_PORT=18094
if [[ -n ${VIGIL_BEFORE:-} ]]; then
  vigil_l7_config $BEFORE_PORT 18095 "${BACKENDS[@]}" > "$WORK/vigil-before.yaml"
  start_vigil_before "$WORK/vigil-before.yaml" "$WORK/vigil-before.log"
  wait_port $BEFORE_PORT
fi

for p in "${BACKENDS[@]}" $NGINX_PORT $HAPROXY_PORT $VIGIL_PORT; do wait_port "$p"; done
echo "L7 round-robin, 1 KiB responses, keep-alive, ${WRK_CONNECTIONS:-64} connections, $(nproc) cores, $(date -u +%F)"
# Interleaved rounds (ROUNDS, default 3): a busy machine then slows every server alike; medians are reported.
for round in $(seq "${ROUNDS:-3}"); do
  run_wrk nginx "http://127.0.0.1:$NGINX_PORT/" $NGINX_PID
  run_wrk haproxy "http://127.0.0.1:$HAPROXY_PORT/" $HAPROXY_PID
  run_wrk vigil "http://127.0.0.1:$VIGIL_PORT/" $VIGIL_PID
  [[ -z ${VIGIL_BEFORE_PID:-} ]] || run_wrk vigil-before "http://127.0.0.1:$BEFORE_PORT/" $VIGIL_BEFORE_PID
done
ps -o rss= -p "$VIGIL_PID" | awk '{printf "vigil RSS after run: %.0f MB\n", $1/1024}'
ratios
