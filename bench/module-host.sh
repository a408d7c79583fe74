#!/usr/bin/env bash
# Module host benchmark: ours beside a bare C pipe ping-pong and a bare JVM, in the same run.
# Usage: bench/module-host.sh [loads] [pings]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
(cd "$root" && mvn -q -B -DskipTests package)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/pingpong" "$here/pingpong.c"
read -r c_p50 c_p99 c_rate < <("$tmp/pingpong" "${2:-200000}")
java -cp "$root/bench/target/lib/*" bpfilterctl.bench.HostBench "${1:-20}" "${2:-200000}" > "$tmp/ours"
v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/ours"; }
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r)"
printf '%-28s %12s %12s %8s\n' figure ours baseline ratio
row() { printf '%-28s %12s %12s %8.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }
row "load-to-healthy ms (median)" "$(v load_host_ms_median)" "$(v load_bare_jvm_ms_median)"
row "ping p50 us" "$(v ping_p50_us)" "$(echo "$c_p50 / 1000" | bc -l | xargs printf '%.1f')"
row "ping p99 us" "$(v ping_p99_us)" "$(echo "$c_p99 / 1000" | bc -l | xargs printf '%.1f')"
row "pings/s, 1 thread" "$(v ping_rate_1_thread)" "$c_rate"
row "pings/s, 4 threads" "$(v ping_rate_4_threads)" "$c_rate"
