#!/usr/bin/env bash
# Cache hits, side by side: Vigil vs Varnish vs nginx proxy_cache in front of one nginx origin serving
# /1k and /64k with "Cache-Control: public, max-age=3600"; keep-alive, measured with wrk in one run.
# Before measuring, each cache is warmed and must answer from its store (its own hit header, and the
# origin's access log does not grow); during each wrk run the origin's access log must not grow either.
# Usage: bash bench/cache.sh   (env: VIGIL_BEFORE=<git rev> adds that build as vigil-before; BASE_PORT (18100), WRK_CONNECTIONS, WRK_DURATION_MAIN)
source "$(dirname "$0")/lib.sh"
need wrk nginx varnishd curl dotnet
BASE=${BASE_PORT:-18100}
ORIGIN=$BASE VARNISH_PORT=$((BASE + 1)) NGINX_PORT=$((BASE + 2)) VIGIL_PORT=$((BASE + 3)) ADMIN_PORT=$((BASE + 4))
declare -A PORT=([varnish]=$VARNISH_PORT [nginx]=$NGINX_PORT [vigil]=$VIGIL_PORT)
declare -A SIZE=([1k]=1024 [64k]=65536)
SERVERS=(varnish nginx vigil)
FAILED=0
# nginx workers and the Varnish child would otherwise drop to an unprivileged user that cannot write in $WORK
ME="$(id -un) $(id -gn)"

# --- origin: nginx serving two static files; every request it answers is one access-log line
mkdir -p "$WORK/origin/www"
# 3 random bytes make 4 base64 characters: exact sizes without a `head` that would SIGPIPE base64 (pipefail)
head -c 768 /dev/urandom | base64 -w0 > "$WORK/origin/www/1k"
head -c 49152 /dev/urandom | base64 -w0 > "$WORK/origin/www/64k"
cat > "$WORK/origin/nginx.conf" <<CONF
user $ME; worker_processes 1; daemon off; pid $WORK/origin/pid; error_log $WORK/origin/error.log;
events { worker_connections 1024; }
http { access_log $WORK/origin/access.log; keepalive_requests 100000; sendfile on;
  server { listen 127.0.0.1:$ORIGIN; root $WORK/origin/www; default_type application/octet-stream;
    location / { add_header Cache-Control "public, max-age=3600" always; } } }
CONF
nginx -c "$WORK/origin/nginx.conf" -p "$WORK/origin" & PIDS+=($!)

# --- Varnish: the built-in VCL with the origin as its only backend
varnishd -F -j none -a "127.0.0.1:$VARNISH_PORT" -b "127.0.0.1:$ORIGIN" -s malloc,256m -n "$WORK/varnish" \
  -T none > "$WORK/varnish.log" 2>&1 & PIDS+=($!)
declare -A PID=([varnish]=$!)

# --- nginx proxy_cache, keep-alive to the origin, workers = cores. Hits are sent from the cache file with
# sendfile and the file descriptors stay open (open_file_cache). No tcp_nopush: with it, 64 KiB hits on
# loopback measured 1.3-1.7k req/s against 6-22k without (TCP_CORK holding the last segment).
mkdir -p "$WORK/nginx/cache"
cat > "$WORK/nginx/nginx.conf" <<CONF
user $ME; worker_processes $(nproc); daemon off; pid $WORK/nginx/pid; error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000; sendfile on; open_file_cache max=1000 inactive=1h;
  proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=main:16m max_size=256m inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$ORIGIN; keepalive 64; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_cache main; proxy_cache_valid 200 1h; proxy_cache_lock on;
      add_header X-Cache-Status \$upstream_cache_status; } } }
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" & PIDS+=($!)
PID[nginx]=$!

# --- Vigil: one pool (the origin), one cached route
build_vigil
cat > "$WORK/vigil.yaml" <<CONF
node: { name: bench }
admin: { listen: 127.0.0.1:$ADMIN_PORT }
pools:
  origin:
    backends: [ { address: 127.0.0.1:$ORIGIN } ]
    health: { type: tcp, interval: 2s, timeout: 1s }
listeners:
  - name: www
    protocol: http
    listen: 127.0.0.1:$VIGIL_PORT
    routes:
      - { match: { path_prefix: / }, pool: origin, cache: main }
caches:
  main: { memory: 256MiB }
CONF
"$VIGIL" run -c "$WORK/vigil.yaml" > "$WORK/vigil.log" 2>&1 & PIDS+=($!)
VIGIL_PID=$!
PID[vigil]=$VIGIL_PID
if [[ -n ${VIGIL_BEFORE:-} ]]; then
  PORT[vigil-before]=$((BASE + 5))
  sed -e "s/127.0.0.1:$VIGIL_PORT/127.0.0.1:${PORT[vigil-before]}/" -e "s/127.0.0.1:$ADMIN_PORT/127.0.0.1:$((BASE + 6))/" "$WORK/vigil.yaml" > "$WORK/vigil-before.yaml"
  start_vigil_before "$WORK/vigil-before.yaml" "$WORK/vigil-before.log"
  PID[vigil-before]=$VIGIL_BEFORE_PID
  SERVERS+=(vigil-before)
  wait_port "${PORT[vigil-before]}"
fi

for p in $ORIGIN $VARNISH_PORT $NGINX_PORT $VIGIL_PORT; do wait_port "$p"; done

origin_count() { if [[ -f $WORK/origin/access.log ]]; then wc -l < "$WORK/origin/access.log"; else echo 0; fi; }

# hit_header SERVER HEADERS: the server's own evidence that this answer came from its store
hit_header() {
  case $1 in
    varnish) grep -iE '^X-Varnish: *[0-9]+ [0-9]+' <<<"$2" ;;   # two ids: this request and the one that stored it
    nginx) grep -iE '^X-Cache-Status: *HIT' <<<"$2" ;;
    vigil|vigil-before) grep -iE '^Cache-Status: *Vigil; *hit' <<<"$2" ;;
  esac | tr -d '\r'
}

# verify SERVER PATH: warm with one request, then three more must be hits, with the full body,
# without a single request reaching the origin
verify() {
  local s=$1 path=$2 url="http://127.0.0.1:${PORT[$1]}/$2" before after headers len hit ok=1
  curl -s -o /dev/null "$url"
  before=$(origin_count)
  for _ in 1 2 3; do
    headers=$(curl -s -D - -o "$WORK/body" "$url" | tr -d '\r')
    len=$(stat -c %s "$WORK/body")
    hit=$(hit_header "$s" "$headers")
    [[ -n $hit && $len == "${SIZE[$path]}" ]] && cmp -s "$WORK/body" "$WORK/origin/www/$path" || ok=0
  done
  after=$(origin_count)
  (( after == before )) || ok=0
  if (( ok )); then
    printf '%-8s /%-4s hit: %s (body %s bytes, origin requests +%d)\n' "$s" "$path" "$hit" "$len" $((after - before))
  else
    FAILED=1
    printf '%-8s /%-4s NOT A HIT: body %s bytes, origin requests +%d, headers:\n%s\n' "$s" "$path" "$len" $((after - before)) "$headers"
  fi
}

echo "Cache hits, keep-alive, ${WRK_CONNECTIONS:-64} connections, $(nproc) cores, $(date -u +%F)"
echo "nginx $(nginx -v 2>&1 | sed 's|.*/||'), varnish $(varnishd -V 2>&1 | sed -n 's/.*varnish-\([0-9.]*\).*/\1/p'), wrk $(wrk -v 2>&1 | awk 'NR==1{print $2}')"
echo "== check: each cache answers from its store"
for path in 1k 64k; do for s in "${SERVERS[@]}"; do verify "$s" "$path"; done; done

for path in 1k 64k; do
  echo "== /$path (${SIZE[$path]} bytes)"
  RESULTS=$WORK/results-$path
  for s in "${SERVERS[@]}"; do
    before=$(origin_count)
    run_wrk "$s" "http://127.0.0.1:${PORT[$s]}/$path" "${PID[$s]}"
    after=$(origin_count)
    if (( after == before )); then echo "           origin requests during warm-up + run: 0"
    else FAILED=1; echo "           origin requests during warm-up + run: $((after - before)) (NOT all hits)"; fi
  done
  ratios
done
ps -o rss= -p "$VIGIL_PID" | awk '{printf "vigil RSS after run: %.0f MB\n", $1/1024}'
curl -s "http://127.0.0.1:$ADMIN_PORT/api/status" > "$WORK/status.json" || true
if command -v jq >/dev/null; then jq -c '.caches' "$WORK/status.json" 2>/dev/null | sed 's/^/vigil cache counters: /' || true; fi
exit $FAILED
