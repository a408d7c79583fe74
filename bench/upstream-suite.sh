#!/usr/bin/env bash
# iptables' own shell test suite (iptables/tests/shell of the iptables 1.8.9 sources, fetched by
# hand: none of its code is in this repository) with XT_MULTI=bpfilterctl against XT_MULTI=
# xtables-legacy-multi, in one run: every test of the IPv4 directories, each run as run-tests.sh
# runs it (`unshare -n TEST`, status compared with the digit its name ends in), legacy and ours
# interleaved. Ours talk to one private daemon, started and warmed before (a machine's daemon runs
# for days); before each of our tests the module is unloaded, its saved tables removed and loaded
# again (the fresh tables a fresh netns gives the kernel's run), which is not timed.
# Beside the totals, the floor of any client that starts a JVM per call: the number of calls the
# suite makes times a JVM (the launcher's flags) that prints one line.
# Usage: bench/upstream-suite.sh SHELL_TESTS_DIR (root; iptables-legacy, unshare, javac)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
suite=$(cd "${1:?usage: bench/upstream-suite.sh PATH/TO/iptables/tests/shell}" && pwd)
. "$here/lib/private-daemon.sh"
ours="$root/bpfilterctl"
"$ours" daemon --detach >/dev/null
"$ours" load >/dev/null
for _ in $(seq 20); do "$ours" iptables -S >/dev/null; "$ours" iptables-save >/dev/null; done
fresh() {
  "$ours" unload >/dev/null
  rm -f "$BPFILTERCTL_STATE_DIR"/tables/*
  "$ours" load >/dev/null
}
ms() { echo $((($2 - $1) / 1000000)); }
cd "$suite"
tests=$(find testcases/chain testcases/ipt-restore testcases/ipt-save testcases/iptables \
  testcases/firewalld-restore -executable -regex '.*_[0-9]+' | sort)
# How many times the suite starts XT_MULTI (a counting wrapper around iptables-legacy's).
printf '#!/bin/sh\necho >> %s/calls\nexec xtables-legacy-multi "$@"\n' "$tmp" > "$tmp/count"
chmod +x "$tmp/count"
for t in $tests; do XT_MULTI="$tmp/count" unshare -n "./$t" >/dev/null 2>&1 || true; done
calls=$(wc -l < "$tmp/calls")
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %6s %8s %6s %8s\n' test legacy ms ours ms
lt=0 ot=0 lpass=0 opass=0 both=0 n=0
for t in $tests; do
  want=${t##*_}
  s=$(date +%s%N); rc=0; XT_MULTI=xtables-legacy-multi unshare -n "./$t" >/dev/null 2>&1 || rc=$?; e=$(date +%s%N)
  l=$(ms "$s" "$e"); lrc=$rc
  fresh
  s=$(date +%s%N); rc=0; XT_MULTI="$ours" unshare -n "./$t" >"$tmp/out" 2>&1 || rc=$?; e=$(date +%s%N)
  o=$(ms "$s" "$e"); orc=$rc
  lt=$((lt + l)); ot=$((ot + o)); n=$((n + 1))
  [ "$lrc" = "$want" ] && lpass=$((lpass + 1))
  [ "$orc" = "$want" ] && opass=$((opass + 1))
  [ "$lrc" = "$want" ] && [ "$orc" != "$want" ] && echo "FAILED with ours only: $t (status $orc): $(tail -3 "$tmp/out")"
  printf '%-52s %6s %8s %6s %8s\n' "${t#testcases/}" "$lrc" "$l" "$orc" "$o"
done
# The floor: a JVM with the launcher's flags printing one line, median of 21.
mkdir -p "$tmp/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$tmp/hello/Hello.java"
javac -d "$tmp/hello" "$tmp/hello/Hello.java"
floor=$(for _ in $(seq 21); do
  s=$(date +%s%N)
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto -cp "$tmp/hello" Hello >/dev/null
  e=$(date +%s%N); echo $(((e - s) / 1000))
done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[11] / 1000 }')
echo "tests: $n; passed: legacy $lpass, ours $opass"
echo "wall: legacy $lt ms, ours $ot ms, ratio $(echo "scale=2; $ot / $lt" | bc)"
echo "calls: $calls; JVM floor $floor ms each; $calls x floor = $(echo "$calls * $floor" | bc) ms, $(echo "scale=2; $calls * $floor / $lt" | bc)x legacy's wall"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
