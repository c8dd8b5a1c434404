#!/usr/bin/env bash
# Failover time of Vigil's VRRP and keepalived in the same network-namespace lab:
# a bridge, routers A (priority 150, master) and B (priority 100), and a client pinging the VIP every 5 ms.
# A "dies" by losing its link and being SIGKILLed at once (a crashed node: neither the daemon nor the kernel
# answer any more; SIGKILL alone leaves the kernel answering for the VIP). Failover time = the outage the client
# sees: the longest gap between consecutive echo replies around that instant (last reply from A to first reply
# from B, ±5 ms ping resolution). Median of RUNS runs per implementation/interval, the cases interleaved.
# That outage varies by up to one advert interval with where the death lands against the last advert; the
# client also captures the adverts, so each run gives a second number free of that phase: last advert from A ->
# VIP answering again = Master_Down_Interval + the implementation's own takeover latency.
# Needs root, iproute2, keepalived, iputils ping, tcpdump. Usage: bench/vrrp-failover.sh [RUNS]   (default 5)
# CASES="vigil 100,keepalived 100" picks the implementation/interval pairs (default: all five).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-${RUNS:-5}}
VIP=10.77.0.50
P=vgb$$
WORK=$(mktemp -d /tmp/vigil-vrrp-bench.XXXXXX)
VIGIL_OUT=$WORK/vigil
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 -- "-$pid" 2>/dev/null || true; done
  for n in a b c sw; do ip netns del "$P-$n" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Vigil is measured as operators run it: the `vigil run` daemon with a YAML config.
dotnet build src/Vigil -c Release -nologo -v q -o "$VIGIL_OUT" >/dev/null

# --- lab -----------------------------------------------------------------------------------------
ip netns add "$P-sw"
ip -n "$P-sw" link add br0 type bridge mcast_snooping 0
ip -n "$P-sw" link set br0 up
i=0
for spec in "a 10.77.0.11 02:77:00:00:00:11" "b 10.77.0.12 02:77:00:00:00:12" "c 10.77.0.99 02:77:00:00:00:99"; do
  set -- $spec
  ip netns add "$P-$1"
  ip -n "$P-sw" link add "p$i" type veth peer name eth0 netns "$P-$1"
  ip -n "$P-sw" link set "p$i" master br0 up
  ip -n "$P-$1" link set eth0 address "$3"
  ip -n "$P-$1" addr add "$2/24" dev eth0
  ip -n "$P-$1" link set eth0 up
  ip -n "$P-$1" link set lo up
  i=$((i + 1))
done

has_vip() { ip -n "$P-$1" -4 -o addr show dev eth0 | grep -q " $VIP/"; }

wait_until() { # seconds, command...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.01
  done
}

start_node() { # impl ns src prio interval_ms -> pid (process group leader)
  local impl=$1 ns=$2 src=$3 prio=$4 ms=$5 log=$WORK/$1-$2.log
  if [ "$impl" = vigil ]; then
    cat >"$WORK/vigil-$ns.yaml" <<CONF
node: { name: $ns }
admin: { listen: 127.0.0.1:9090 }
vrrp:
  - name: front
    interface: eth0
    vrid: 51
    priority: $prio
    advert_interval: ${ms}ms
    virtual_addresses: [ $VIP/24 ]
CONF
    ip netns exec "$ns" setsid "$VIGIL_OUT/vigil" run -c "$WORK/vigil-$ns.yaml" >>"$log" 2>&1 &
  else
    local dir=$WORK/ka-$ns; mkdir -p "$dir"
    rm -f "$dir"/*.pid # a SIGKILLed keepalived leaves them, and the next start in this namespace then gives up
    local int; int=$(awk -v ms="$ms" 'BEGIN { printf "%g", ms / 1000 }')
    cat >"$dir/keepalived.conf" <<CONF
global_defs {
    router_id $ns
    vrrp_version 3
}
vrrp_instance front {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $prio
    advert_int $int
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
}
CONF
    ip netns exec "$ns" setsid keepalived --vrrp --dont-fork --log-console --no-syslog --use-file "$dir/keepalived.conf" \
      --pid "$dir/k.pid" --vrrp_pid "$dir/v.pid" --checkers_pid "$dir/c.pid" >>"$log" 2>&1 &
  fi
  echo $!
}

reset_run() { # stop both routers and put the lab back as it was
  for pid in "$@"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "$@"; do kill -9 -- "-$pid" 2>/dev/null || true; done
  ip -n "$P-a" addr del "$VIP/24" dev eth0 2>/dev/null || true
  ip -n "$P-b" addr del "$VIP/24" dev eth0 2>/dev/null || true
  ip -n "$P-a" link set eth0 up
  sleep 0.3
}

one_run() { # impl interval_ms -> prints "outage_ms advert_to_answer_ms", or "x" when the run was not valid
  local impl=$1 ms=$2
  local a b
  a=$(start_node "$impl" "$P-a" 10.77.0.11 150 "$ms"); PIDS+=("$a")
  if ! wait_until 20 has_vip a; then echo "A never became master" >&2; reset_run "$a"; echo x; return; fi
  b=$(start_node "$impl" "$P-b" 10.77.0.12 100 "$ms"); PIDS+=("$b")
  # Let B start, hear A and settle as backup: well over one Master_Down_Interval.
  sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", (4 * ms + 1500) / 1000 }')"
  if has_vip b; then echo "B holds the VIP while A is master" >&2; reset_run "$a" "$b"; echo x; return; fi
  measure "$a" "$b" "$ms"
}

measure() { # a b interval_ms -> prints the outage and the last-advert-to-answer time in ms
  local a=$1 b=$2 ms=$3 ping_pid dump_pid t0 gap resume last_advert

  ip -n "$P-c" neigh flush dev eth0
  ip netns exec "$P-c" tcpdump -i eth0 -n -l --immediate-mode -tt --time-stamp-precision=micro 'ip proto 112' >"$WORK/adverts" 2>/dev/null &
  dump_pid=$!
  ip netns exec "$P-c" ping -D -n -i 0.005 -W 0.05 "$VIP" >"$WORK/ping" 2>/dev/null &
  ping_pid=$!
  if ! wait_until 10 grep -q "bytes from" "$WORK/ping"; then
    echo "client cannot reach the VIP" >&2; kill "$ping_pid" "$dump_pid"; reset_run "$a" "$b"; echo x; return
  fi
  # Die at a random point of A's advert cycle: wait for one of A's adverts to be captured, then up to an interval.
  if ! wait_until 10 grep -q "IP 10.77.0.11 >" "$WORK/adverts"; then
    echo "no advert from A captured" >&2; kill "$ping_pid" "$dump_pid"; reset_run "$a" "$b"; echo x; return
  fi
  sleep "$(awk -v ms="$ms" -v r="$RANDOM" 'BEGIN { printf "%.3f", (r / 32768) * ms / 1000 }')"
  if has_vip b; then echo "B took the VIP before A died" >&2; kill "$ping_pid" "$dump_pid"; reset_run "$a" "$b"; echo x; return; fi

  t0=$(date +%s.%N)
  ip -n "$P-a" link set eth0 down
  kill -9 -- "-$a"
  # Wait until B holds the VIP (A may answer for a few ms after t0 while `ip link set down` starts), then for
  # a reply after that, then measure the gap.
  wait_until 30 has_vip b || { echo "B never took the VIP" >&2; kill "$ping_pid" "$dump_pid"; reset_run "$a" "$b"; echo x; return; }
  local tb; tb=$(date +%s.%N)
  wait_until 30 awk -v t0="$tb" '/bytes from/ { t = substr($1, 2, length($1) - 2); if (t > t0 + 0) found = 1 } END { exit !found }' "$WORK/ping" \
    || { echo "VIP never answered again" >&2; kill "$ping_pid" "$dump_pid"; reset_run "$a" "$b"; echo x; return; }
  # The client pinged every 5 ms since before the death, so the longest gap between replies is the outage; the
  # reply that ends it is when the VIP answered again.
  read -r gap resume < <(awk '/bytes from/ { t = substr($1, 2, length($1) - 2) + 0; if (n++ && t - prev > max) { max = t - prev; end = t }; prev = t }
    END { printf "%.0f %.6f\n", max * 1000, end }' "$WORK/ping")
  kill "$ping_pid" "$dump_pid" 2>/dev/null || true
  wait "$ping_pid" "$dump_pid" 2>/dev/null || true
  last_advert=$(awk -v end="$resume" '$3 == "10.77.0.11" && $1 + 0 < end + 0 { t = $1 } END { printf "%.6f\n", t }' "$WORK/adverts")

  reset_run "$a" "$b"
  # A real failover after a crash cannot be shorter than Master_Down_Interval minus one interval (the backup's
  # timer ran since the last advert it heard); a gap far below means the client never lost the VIP, i.e. the
  # crash was not seen (kept as x, reason on stderr).
  if awk -v g="$gap" -v ms="$ms" 'BEGIN { exit !(g < ms) }'; then echo "no outage seen (gap $gap ms)" >&2; echo x; return; fi
  if awk -v t="$last_advert" 'BEGIN { exit !(t + 0 == 0) }'; then echo "no advert from A captured" >&2; echo x; return; fi
  awk -v g="$gap" -v r="$resume" -v l="$last_advert" 'BEGIN { printf "%s %.0f\n", g, (r - l) * 1000 }'
}

median() { grep -v x | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| implementation | advert_interval | Master_Down_Interval (backup, prio 100) | failover median (ms) | last advert → answering, median (ms) | runs: failover/advert→answering (ms) |"
echo "|---|---|---|---|---|---|"
IFS=',' read -r -a CASES <<<"${CASES:-keepalived 1000,vigil 1000,keepalived 100,vigil 100,vigil 20}"
# Interleaved: run k of every case, then run k+1, so a slow spell of the machine hits every case alike.
declare -A results
for _ in $(seq "$RUNS"); do
  for case in "${CASES[@]}"; do
    set -- $case
    results[$case]+="$(one_run "$1" "$2")"$'\n'
  done
done
for case in "${CASES[@]}"; do
  set -- $case
  mdi=$(awk -v ms="$2" 'BEGIN { printf "%.1f", 3 * ms + (256 - 100) * ms / 256 }')
  outages=$(printf '%s' "${results[$case]}" | awk '{ print $1 }' | median)
  latencies=$(printf '%s' "${results[$case]}" | awk '$1 != "x" { print $2 }' | median)
  runs=$(printf '%s' "${results[$case]}" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), ($1 == "x" ? "x" : $1 "/" $2) }')
  echo "| $1 | ${2} ms | ${mdi} ms | $outages | $latencies | $runs |"
done
