#!/usr/bin/env bash
# watch (issue 7) under load: the request path with and without watch subscribed, and watch's
# redraws and key-to-screen time at 100,000 frames/s beside an idle watch, in the same run.
# Usage: bench/watch.sh [rounds] [pings per round] [seconds under load]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
(cd "$root" && mvn -q -B -ntp -DskipTests -pl bench -am package)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
java -cp "$root/bench/target/lib/*" bpfilterctl.bench.WatchBench "${1:-5}" "${2:-100000}" "${3:-10}" > "$tmp/ours"
v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/ours"; }
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r)"
printf '%-40s %12s %12s %8s\n' figure ours baseline ratio
row() { printf '%-40s %12s %12s %8.3f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }
row "pings/s, watch subscribed vs none" "$(v ping_rate_watch_subscribed)" "$(v ping_rate_no_subscriber)"
row "key to screen p50 ms, 100k frames/s vs idle" "$(v load_key_to_screen_p50_ms)" "$(v idle_key_to_screen_p50_ms)"
row "key to screen max ms, 100k frames/s vs idle" "$(v load_key_to_screen_max_ms)" "$(v idle_key_to_screen_max_ms)"
printf '%-40s %12s\n' "key to screen p99 ms at 100k frames/s" "$(v load_key_to_screen_p99_ms)"
printf '%-40s %12s %12s\n' "redraws/s at 100k frames/s (cap 30)" "$(v load_redraws_per_s)" 30
printf '%-40s %12s\n' "frames/s published" "$(v load_frames_per_s)"
printf '%-40s %12s\n' "frames dropped by watch at 100k/s" "$(v load_dropped)"
printf '%-40s %12s\n' "frames dropped by watch while pinging" "$(v ping_watch_dropped)"
