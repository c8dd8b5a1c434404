#!/usr/bin/env bash
# Coverage-guided fuzzing of Vigil's parsers: SharpFuzz instruments the Vigil assemblies, AFL++
# (Debian's afl++) drives each target of fuzz/Vigil.Fuzz from its seed corpus in fuzz/corpus/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Runs each target (all of them by default) for SECONDS (default 60), one after the other, and
# exits 1 if any input crashed a target, printing the saved input and how to replay it. A longer
# hunt is the same script with a bigger number, e.g. `scripts/fuzz.sh 3600` (an hour per target).
# Per-target numbers (executions, execs/s, edges found, crashes, hangs) go to artifacts/fuzz/summary.txt.
# Needs the .NET SDK and afl-fuzz (installed from Debian when missing and run as root); no root otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends afl++ >/dev/null
  else
    echo "afl-fuzz is missing: apt-get install afl++ (as root)" >&2
    exit 2
  fi
fi

work=artifacts/fuzz
tools=$work/tools
bin=$work/bin
mkdir -p "$tools" "$work/out"

# The instrumenter, pinned to the SharpFuzz package the fuzz project uses (Directory.Packages.props).
sharpfuzz_version=$(sed -n 's/.*PackageVersion Include="SharpFuzz" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$tools" >/dev/null
fi

# Publish to a fresh folder: instrumentation rewrites the assemblies in place, and the copies in
# src/*/bin (which the tests use) must stay untouched.
rm -rf "$bin"
dotnet publish fuzz/Vigil.Fuzz -c Release -nologo -v q -o "$bin" >/dev/null
# Vigil's own assemblies and the YAML parser under the config loader; not the runtime, not
# SharpFuzz, not the harness (its checks would only add noise to the coverage map).
for dll in vigil Vigil.Proxy Vigil.Vrrp Vigil.Balancing Vigil.Caching YamlDotNet; do
  "$tools/sharpfuzz" "$bin/$dll.dll"
done

# Containers: no core_pattern change, no CPU governor, no core pinning (the machine is shared).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
# .NET starts in a few hundred ms; give the fork server time on a loaded machine.
export AFL_FORKSRV_INIT_TMOUT=60000

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("$bin/Vigil.Fuzz" list)

summary=$work/summary.txt
printf '%-16s %10s %9s %8s %12s %8s %6s\n' target execs execs/s edges bitmap crashes hangs | tee "$summary"
failed=0
for t in "${targets[@]}"; do
  out=$work/out/$t
  rm -rf "$out"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-x "fuzz/dict/$t.dict")
  # -t 5000: a run slower than 5 s counts as a hang. Fixed, not calibrated: on a shared machine a
  # calibrated timeout (afl's default, tens of ms) turns scheduling stalls into false hangs.
  afl-fuzz -i "fuzz/corpus/$t" -o "$out" -V "$seconds" -t 5000 -m none "${dict[@]}" -- "$bin/Vigil.Fuzz" "$t" \
    >"$work/$t.log" 2>&1 || { echo "afl-fuzz failed for $t; last lines of $work/$t.log:" >&2; tail -20 "$work/$t.log" >&2; failed=1; continue; }
  stats=$out/default/fuzzer_stats
  stat() { sed -n "s/^$1 *: *//p" "$stats"; }
  # afl-fuzz saves an input as a crash when the run's process died, which on a busy machine can
  # also be a kill from outside; the parsers are deterministic, so a crash counts when replaying
  # the input outside afl-fuzz fails again.
  # (The first 20: each replay starts the runtime.)
  crashes=() flaky=()
  for crash in $(ls "$out"/default/crashes/id:* 2>/dev/null | head -20); do
    if "$bin/Vigil.Fuzz" "$t" "$crash" >/dev/null 2>&1; then flaky+=("$crash"); else crashes+=("$crash"); fi
  done
  printf '%-16s %10s %9s %8s %12s %8s %6s\n' "$t" "$(stat execs_done)" "$(stat execs_per_sec)" \
    "$(stat edges_found)" "$(stat bitmap_cvg)" "${#crashes[@]}" "$(stat saved_hangs)" | tee -a "$summary"
  if [ ${#crashes[@]} -gt 0 ]; then
    failed=1
    echo "CRASH in $t: ${#crashes[@]} inputs in $out/default/crashes/; the first ones:" >&2
    for crash in "${crashes[@]:0:5}"; do echo "  $crash" >&2; done
    echo "  replay (prints the exception): $bin/Vigil.Fuzz $t FILE..." >&2
  fi
  [ ${#flaky[@]} -eq 0 ] || echo "note: $t: ${#flaky[@]} saved crash(es) do not reproduce outside afl-fuzz (killed from outside?): ${flaky[*]:0:3}" >&2
done
exit "$failed"
