#!/usr/bin/env bash
# Table engine benchmark: SET_REPLACE / GET_ENTRIES of 1k, 10k, 50k filter rules in our engine
# (alone and through the host) beside iptables-legacy-restore into the kernel in a netns, in the
# same run. Usage: bench/tables.sh [sizes...]   (root; needs iptables and strace)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
(cd "$root" && mvn -q -B -DskipTests package)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sizes=("${@:-1000 10000 50000}")
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r)"
printf '%-8s %12s %12s %12s %12s %12s %10s %8s\n' rules kernel_ms engine_ms host_ms get_engine get_host rss_MiB ratio
for n in ${sizes[@]}; do
  python3 "$here/make-ruleset.py" "$n" > "$tmp/rules"
  python3 "$here/capture-replace.py" "$tmp/rules" "$tmp/blob"
  k=()
  for i in 1 2 3 4 5; do
    s=$(date +%s%N); unshare -n iptables-legacy-restore "$tmp/rules"; e=$(date +%s%N)
    k+=($(( (e - s) / 1000 )))
  done
  kernel_ms=$(printf '%s\n' "${k[@]}" | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 / 1000 }')
  java -cp "$root/bench/target/lib/*" bpfilterctl.bench.TablesBench "$tmp/blob" 5 > "$tmp/ours"
  v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/ours"; }
  printf '%-8s %12s %12s %12s %12s %12s %10s %8.2f\n' "$n" "$kernel_ms" "$(v engine_replace_ms)" \
    "$(v host_replace_ms)" "$(v engine_get_entries_ms)" "$(v host_get_entries_ms)" "$(v umh_rss_mib)" \
    "$(echo "$(v host_replace_ms) / $kernel_ms" | bc -l)"
done
