#!/usr/bin/env bash
# Daemon benchmark: a cold one-shot `status --json` against a running daemon beside `java -version`;
# ping over the socket beside the same ping in process; persistence's cost on a big commit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
(cd "$root" && mvn -q -B -DskipTests package)
. "$here/lib/private-daemon.sh"
"$root/bpfilterctl" daemon --detach >/dev/null
"$root/bpfilterctl" load >/dev/null
median_ms() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1e6 }'; }
time_runs() { for i in $(seq 1 21); do s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $((e - s)); done; }
status_ms=$(time_runs "$root/bpfilterctl" status --json | median_ms)
javav_ms=$(time_runs java -version | median_ms)
java -cp "$root/bench/target/lib/*" bpfilterctl.bench.DaemonBench 100000 50000 > "$tmp/ours"
v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/ours"; }
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r)"
printf '%-40s %10s %10s %7s\n' figure ours baseline ratio
row() { printf '%-40s %10s %10s %7.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }
row "cold status --json vs java -version, ms" "$status_ms" "$javav_ms"
row "ping p50 socket vs in process, us" "$(v ping_socket_p50_us)" "$(v ping_in_process_p50_us)"
row "ping p99 socket, us (p50 in process)" "$(v ping_socket_p99_us)" "$(v ping_in_process_p50_us)"
row "commit $(v blob_mib) MiB persisted vs not, ms" "$(v commit_persisted_ms)" "$(v commit_plain_ms)"
