#!/usr/bin/env bash
# Runs every Vigil test on a fresh Debian machine with only the .NET SDK:
# installs the real servers the tests start themselves (MariaDB, keepalived, HAProxy, nginx, ...),
# restores NuGet packages, runs `dotnet test` on the whole solution, then fuzzes every parser for
# FUZZ_SECONDS (default 60) per target (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(mariadb-server mariadb-client keepalived haproxy nginx libnginx-mod-stream varnish wrk iproute2 iputils-ping curl arping tcpdump procps python3 chromium afl++)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages (run as root to install): ${missing[*]}" >&2
  fi
fi
# Debian starts nothing in a container, but a machine with systemd may have started the packaged
# services on their default ports; the tests start their own instances on their own ports.
for s in nginx haproxy varnish mariadb keepalived; do
  (command -v systemctl >/dev/null && systemctl stop "$s") >/dev/null 2>&1 || true
done

# The daemon turns on inline socket completions in its own process (src/Vigil/Hosting/InlineIo.cs);
# the test hosts do not: test code blocks on tasks here and there, which inline completions would
# deadlock on the socket engine's thread. Lab tests run real `vigil run` processes, which have it.
dotnet build Vigil.slnx -c Release -nologo -v q
set +e
dotnet test Vigil.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee /tmp/vigil-test.log
status=${PIPESTATUS[0]}
# A bounded coverage-guided fuzz run of every parser target (docs/security.md; FUZZ_SECONDS=0 skips it).
# It fails the run only for a crash that replays outside AFL; the inputs are printed.
fuzz_status=0
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
  fuzz_status=$?
  [ "$fuzz_status" = 0 ] || echo "fuzzing failed (exit $fuzz_status): see above" >&2
fi
set -e
# CI keeps only the end of the output: repeat every failed test with the first lines of its reason
# there, so a failure is named without the whole log.
if grep -q '^ *Failed [A-Za-z]' /tmp/vigil-test.log; then
  echo "--- failed tests ---"
  awk '/^ *Failed [A-Za-z]/{n=14} n>0{print; n--}' /tmp/vigil-test.log | cut -c1-400
fi
# One plain closing line over every test project: "N passed, N failed, N skipped".
awk '/^ +Passed: [0-9]+$/{p+=$2} /^ +Failed: [0-9]+$/{f+=$2} /^ +Skipped: [0-9]+$/{s+=$2}
  END{ printf "%d passed, %d failed, %d skipped\n", p, f, s }' /tmp/vigil-test.log
[ "$status" = 0 ] || exit "$status"
exit "$fuzz_status"
