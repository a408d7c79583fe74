#!/usr/bin/env bash
# Cold one-shots against iptables-legacy on the kernel, in one run (issue 14): every command is a
# fresh process. Ours go through the distribution launcher's flags to a daemon started once (as a
# script's first command starts it), with the launcher's class-data-sharing archive; iptables-legacy
# works on the kernel's tables in a network namespace of its own. Beside them, the floor a Java
# client cannot beat: a JVM with the same flags whose main prints one line.
# Usage: [WARMUP=N] bench/oneshot.sh [rounds] (root; iptables-legacy, unshare)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
rounds=${1:-7}
lib="$root/cli/target/lib"
[ -f "$lib/bpfilterctl-cli-0.1.0.jar" ] || (cd "$root" && mvn -q -B -DskipTests package -pl cli -am)
tmp=$(mktemp -d)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
export BPFILTERCTL_STATE_DIR="$tmp/state" BPFILTERCTL_SOCKET="$tmp/run/d.sock" XTABLES_LOCKFILE="$tmp/xtables.lock"
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/run" && chmod 755 "$tmp" "$tmp/run"
# The daemon as the launcher starts it (`bpfilterctl daemon`: the optimising compiler on).
"$java" -XX:+UseSerialGC -Xshare:auto -cp "$lib/*" bpfilterctl.cli.Main daemon >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 300); do [ -S "$BPFILTERCTL_SOCKET" ] && break; sleep 0.1; done
# The floor: a JVM, same flags, printing one line.
mkdir -p "$tmp/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$tmp/hello/Hello.java"
# What any Java client of the daemon pays beyond it: NIO's socket start-up, and the SecureRandom
# that JDK 17's UnixDomainSockets builds when first used.
printf 'public class Uds { public static void main(String[] a) throws Exception { try (var s = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(a[0]))) { System.out.println("hello"); } } }\n' > "$tmp/hello/Uds.java"
javac -d "$tmp/hello" "$tmp/hello/Hello.java" "$tmp/hello/Uds.java"
jsa="$tmp/bpfilterctl.jsa"
ours() { "$java" "${flags[@]}" -XX:SharedArchiveFile="$jsa" -cp "$lib/*" bpfilterctl.cli.OneShotClient "$@"; }
# The launcher's archive, made by its first run (a relay through the daemon).
"$java" "${flags[@]}" -XX:ArchiveClassesAtExit="$jsa" -cp "$lib/*" bpfilterctl.cli.OneShotClient --version >/dev/null
"$java" "${flags[@]}" -XX:ArchiveClassesAtExit="$jsa.main" -cp "$lib/*" bpfilterctl.cli.Main --version >/dev/null
export -f ours; export java jsa lib tmp; export flags_s="${flags[*]}"
python3 "$here/make-ruleset.py" 1000 > "$tmp/rules1k"
python3 "$here/make-ruleset.py" 50000 > "$tmp/rules50k"
# Everything below runs in one fresh netns: iptables-legacy's kernel tables are its own there.
cat > "$tmp/bench.sh" <<'SH'
set -euo pipefail
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
med() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'; }
ours() { $java $flags_s -XX:SharedArchiveFile=$jsa -cp "$lib/*" bpfilterctl.cli.OneShotClient "$@"; }
hello() { $java $flags_s -cp "$tmp/hello" Hello; }
uds() { $java $flags_s -cp "$tmp/hello" Uds "$BPFILTERCTL_SOCKET"; }
# The one-shot as it was before the client: the whole command model in a fresh JVM, to the daemon.
before() { $java $flags_s -XX:SharedArchiveFile=$jsa.main -cp "$lib/*" bpfilterctl.cli.Main "$@"; }
row() { # label, n, then our command, then --, then legacy's (or nothing: the floor)
  local label=$1 n=$2; shift 2
  local o=() l=() a=() b=() seen=0
  for w in "$@"; do if [ "$w" = -- ]; then seen=1; elif [ $seen = 0 ]; then a+=("$w"); else b+=("$w"); fi; done
  for _ in $(seq "$ROUNDS"); do
    o+=("$(ms "${a[@]}")")
    if [ ${#b[@]} -gt 0 ]; then l+=("$(ms "${b[@]}")"); else l+=("$(ms hello)"); fi
  done
  local om lm
  om=$(printf '%s\n' "${o[@]}" | med); lm=$(printf '%s\n' "${l[@]}" | med)
  local peer=${PEER:-iptables-legacy}; [ ${#b[@]} -gt 0 ] || peer="JVM floor"
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "$label" "$n" "$om" "$lm" "$peer" "$(echo "$om / $lm" | bc -l)"
}
echo "| command | rules | ours ms | peer ms | peer | ratio |"
echo "| --- | ---: | ---: | ---: | --- | ---: |"
row "JVM printing one line (floor)" - hello -- hello
row "JVM connecting to the daemon's socket" - uds
row "--version" - ours --version -- iptables-legacy --version
row "status" - ours status
PEER="in-process (before)" row "--version vs before" - ours --version -- before --version
for n in 1k 50k; do
  ours iptables-restore "$tmp/rules$n" >/dev/null; iptables-legacy-restore "$tmp/rules$n"
  # A script's first commands: the daemon's code for this size gets compiled. WARMUP=N more
  # rounds of every measured kind run first, as a daemon that has served for a while has them
  # compiled (the issue's premise: in the daemon "the code is warm").
  for _ in 1 2 3; do ours iptables -S >/dev/null; ours iptables-save >/dev/null; done
  for _ in $(seq "$WARMUP"); do
    ours iptables -S >/dev/null; ours iptables-save >/dev/null
    ours iptables -A INPUT -s 192.0.2.6 -j DROP; ours iptables -D INPUT -s 192.0.2.6 -j DROP
  done
  row "iptables -S" $n ours iptables -S -- iptables-legacy -S
  row "iptables -A" $n ours iptables -A INPUT -s 192.0.2.7 -p tcp --dport 8443 -j ACCEPT -- iptables-legacy -A INPUT -s 192.0.2.7 -p tcp --dport 8443 -j ACCEPT
  row "iptables-save" $n ours iptables-save -- iptables-legacy-save
  row "iptables-restore" $n ours iptables-restore "$tmp/rules$n" -- iptables-legacy-restore "$tmp/rules$n"
  row "iptables -S, floor" $n ours iptables -S
  row "iptables -A, floor" $n ours iptables -A INPUT -s 192.0.2.9 -j DROP
  PEER="in-process (before)" row "iptables -S vs before" $n ours iptables -S -- before iptables -S
  PEER="in-process (before)" row "iptables -A vs before" $n ours iptables -A INPUT -s 192.0.2.8 -j DROP -- before iptables -A INPUT -s 192.0.2.8 -j DROP
done
SH
echo "# $(date -u +%F) $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r), $("$java" -version 2>&1 | head -1), $rounds rounds, medians"
ROUNDS=$rounds WARMUP=${WARMUP:-0} unshare -n bash "$tmp/bench.sh"
echo
echo "classes the client loads for \`iptables -S\` (picocli / jline / lanterna / jnr / all):"
"$java" "${flags[@]}" -XX:SharedArchiveFile="$jsa" -Xlog:class+load:file="$tmp/classes" -cp "$lib/*" bpfilterctl.cli.OneShotClient iptables -S >/dev/null
printf '  %d / %d / %d / %d / %d (%d from the CDS archives)\n' "$(grep -c picocli "$tmp/classes" || true)" \
  "$(grep -c org.jline "$tmp/classes" || true)" "$(grep -c lanterna "$tmp/classes" || true)" \
  "$(grep -Ec ' (jnr|com.kenai)\.' "$tmp/classes" || true)" "$(grep -c 'source:' "$tmp/classes")" \
  "$(grep -c 'shared objects file' "$tmp/classes" || true)"
