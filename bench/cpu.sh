# Sourced by the bench scripts. cpu_ticks PID: CPU time (clock ticks, user+system) of a server and its worker children. On a shared
# machine wall-clock throughput is noisy; CPU spent per request much less so.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)
