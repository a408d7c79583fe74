#!/usr/bin/env bash
# The sockopt hook beside the kernel, in one run: the same unmodified iptables-legacy binaries,
# once against the kernel's ip_tables in a fresh netns and once under the hook against a daemon
# (also run in a fresh netns, so nothing can reach this machine's tables). Steps: restore of N
# rules, save, -S, one -A into the restored table. Medians of 5 rounds; ratio = hooked / kernel.
# A daemon runs for days: warm-up rounds (not counted) first bring its JIT to where it stays; the
# first, cold round's hooked time is shown beside the medians.
# Usage: bench/hook.sh [sizes...]  (root; default sizes 1000 50000; WARMUP=N rounds, default 5; ROUNDS=N measured, default 5)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
(cd "$root" && mvn -q -B -DskipTests package -pl cli -am)
. "$here/lib/private-daemon.sh"
sizes=("${@:-1000 50000}")
rounds=${ROUNDS:-5}
warmup=${WARMUP:-5}
lib="$root/hook/target/libbpfilterctl-hook.so"
"$root/bpfilterctl" daemon --detach >/dev/null
"$root/bpfilterctl" load >/dev/null
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }
cat > "$tmp/steps.sh" <<'SH'
# $1: the rules file. Prints "step microseconds" lines.
t() { local label=$1; shift; local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo "$label $(( (e - s) / 1000 ))"; }
t restore iptables-legacy-restore "$1"
t save iptables-legacy-save
t list iptables-legacy -S
t append iptables-legacy -A INPUT -s 192.0.2.7 -p tcp --dport 8443 -j ACCEPT
SH
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r)"
printf '%-7s %-8s %12s %12s %8s %14s\n' rules step kernel_ms hooked_ms ratio cold_hooked_ms
for n in ${sizes[@]}; do
  python3 "$here/make-ruleset.py" "$n" > "$tmp/rules"
  : > "$tmp/kernel"; : > "$tmp/hooked"; : > "$tmp/cold"
  for i in $(seq $warmup); do
    LD_PRELOAD="$lib" unshare -n bash "$tmp/steps.sh" "$tmp/rules" >> "$tmp/cold"
  done
  for i in $(seq $rounds); do
    unshare -n bash "$tmp/steps.sh" "$tmp/rules" >> "$tmp/kernel"
    LD_PRELOAD="$lib" unshare -n bash "$tmp/steps.sh" "$tmp/rules" >> "$tmp/hooked"
  done
  # What every commit pays before its reply and the kernel never does: the table's record written
  # over its journal in place and fdatasync'd (TableJournalFile), at this size. The table file
  # (temp, fsync, rename, directory fsync) catches up after the reply.
  floor=$(python3 - "$BPFILTERCTL_STATE_DIR/tables/filter.table" <<'PY'
import os, sys, time
size = os.path.getsize(sys.argv[1]); d = os.path.dirname(sys.argv[1]); data = os.urandom(size)
fd = os.open(d + "/floor.journal", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, data); os.fsync(fd)
ts = []
for _ in range(9):
    t = time.perf_counter()
    os.pwrite(fd, data, 0); os.fdatasync(fd)
    ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(d + "/floor.journal")
print("%.1f" % (sorted(ts)[4] * 1000))
PY
)
  echo "commit floor at $n rules (journal record written in place + fdatasync): $floor ms"
  for step in restore save list append; do
    k=$(awk -v s=$step '$1 == s { print $2 / 1000 }' "$tmp/kernel" | median)
    h=$(awk -v s=$step '$1 == s { print $2 / 1000 }' "$tmp/hooked" | median)
    c=$(awk -v s=$step '$1 == s { printf "%.1f", $2 / 1000; exit }' "$tmp/cold")
    printf '%-7s %-8s %12s %12s %8.2f %14s\n' "$n" "$step" "$k" "$h" "$(echo "$h / $k" | bc -l)" "${c:--}"
  done
done
