#!/usr/bin/env bash
# ufw's default filter table, enforced by the kernel's ip_tables and by ours, in one run.
# The table: what core/src/test/resources/rules/scenarios/scripts/21-ufw.sh builds with `ufw
# enable` (its before.rules restore input, INPUT/FORWARD DROP, the hook chains' jumps), its reload's
# `ufw allow 22/tcp`, and `ufw allow 9000/udp` for the bench: one iptables-restore file, loaded by
# iptables-legacy-restore in one namespace pair and enforced by our programs in the other
# (EnforceBench hold: Enforcer.install, which also takes the namespace's conntrack holder and
# mirrors its routes for addrtype). Sender 10.200.0.1 --veth-- receiver 10.200.0.2 (static
# neighbours); a receiver socket on 9000 that never reads (so no ICMP port unreachable).
# Workloads, each ours and the kernel's alternating per round, medians, ratio = ours / kernel:
#   established: one UDP flow 10.200.0.1:4000 -> :9000, opened by the receiver (its socket sends
#     one datagram out first, which ufw-track-output lets out as NEW), so every datagram is the
#     reply direction of a tracked connection: ESTABLISHED, accepted by ufw-before-input's second
#     rule;
#   new: every datagram from a source address/port never sent before (10.201.0.0/16 source
#     addresses, ports 1024-65535): conntrack makes an entry for each, and each walks the table as
#     NEW down to ufw-user-input's `--dport 9000 -j ACCEPT` (17 entries in ip_tables' walk).
# The sender is bench/udpflood.c (raw sockets and sendmmsg, compiled here), far faster than the
# receiving path; packets/s = datagrams that reached the receiver's UDP layer (/proc/net/snmp:
# InDatagrams + NoPorts + InErrors) per second.
# Usage: bench/enforce-ufw.sh (root)  BENCH_SECONDS=3 BENCH_ROUNDS=5 BENCH_FLOWS=0 (new workload:
#        0 = every datagram a new flow; N = N flows in turn, each unreplied, so conntrack only
#        looks them up, and they are still NEW to the rules) BENCH_PROFILE=1 (perf: the filter's
#        share of the samples, see below)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
secs=${BENCH_SECONDS:-3}
rounds=${BENCH_ROUNDS:-5}
flows=${BENCH_FLOWS:-0}
[ -n "${BENCH_SKIP_BUILD:-}" ] || (cd "$root" && mvn -q -B -DskipTests package -pl bench -am)
tmp=$(mktemp -d)
tag="bpfu$$"
java_cp="$root/bench/target/lib/*"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"
sink=""
cleanup() {
  if [ -n "$sink" ]; then kill "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true; fi
  netns_cleanup
}
trap cleanup EXIT
cc -O2 -Wall -Wextra -Werror -o "$tmp/udpflood" "$here/udpflood.c"

pair "${tag}ks" "${tag}kr"
pair "${tag}os" "${tag}or"
# the new workload's sources: routed back through the veth (no reply is sent to them)
ip -n "${tag}kr" route add 10.201.0.0/16 via 10.200.0.1
ip -n "${tag}or" route add 10.201.0.0/16 via 10.200.0.1

# The table, from the scenario script: its before.rules heredoc, then its hook jumps, as one file.
scenario="$root/core/src/test/resources/rules/scenarios/scripts/21-ufw.sh"
{
  echo '*filter'
  echo ':INPUT DROP [0:0]'
  echo ':FORWARD DROP [0:0]'
  echo ':OUTPUT ACCEPT [0:0]'
  awk '/^cat > \/tmp\/ufw-before.rules/ { on = 1; next } on && /^R$/ { exit }
       on && !/^\*filter$/ && !/^COMMIT$/ { print }' "$scenario"
  sed -n 's/^iptables-legacy -A \(INPUT\|OUTPUT\|FORWARD\) -j \(ufw-[a-z-]*\)$/-A \1 -j \2/p' "$scenario"
  echo '-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT'
  echo '-A ufw-user-input -p udp -m udp --dport 9000 -j ACCEPT'
  echo 'COMMIT'
} > "$tmp/rules"
[ "$(grep -c '^-A' "$tmp/rules")" -ge 60 ] || { echo "the ufw table came out short" >&2; exit 1; }
ip netns exec "${tag}kr" iptables-legacy-restore < "$tmp/rules"

cat > "$tmp/sink.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
s.bind(("10.200.0.2", 9000))
s.sendto(b"open", ("10.200.0.1", 4000))  # the connection, from this side
print("ready", flush=True)
time.sleep(3600)
PY
rate() { # $1 sender ns, $2 receiver ns, $3 workload: packets/s delivered
  local a b src n
  ip netns exec "$2" python3 "$tmp/sink.py" > "$tmp/sink" &
  sink=$!
  until grep -q ready "$tmp/sink" 2>/dev/null; do
    kill -0 "$sink" 2>/dev/null || { echo "the receiver's socket failed" >&2; exit 1; }
    sleep 0.05
  done
  sleep 0.1
  a=$(udp_in "$2")
  if [ "$3" = established ]; then
    n=$(ip netns exec "$1" "$tmp/udpflood" "$secs" 10.200.0.1 10.200.0.2 9000 1)
  else
    n=$(ip netns exec "$1" "$tmp/udpflood" "$secs" 10.201.0.0 10.200.0.2 9000 "$flows")
  fi
  b=$(udp_in "$2")
  kill "$sink"; wait "$sink" 2>/dev/null || true; sink=""
  echo "$(( (b - a) / secs )) $(( n / secs ))"
}
hold "${tag}or" "$tmp/rules"

machine
echo "table: $(grep -c '^-A' "$tmp/rules") rules in $(grep -c '^:' "$tmp/rules") chains; ours: $(grep '^ready' "$tmp/held" | sed 's/^ready //')"
echo "each figure: median of $rounds rounds of ${secs} s; sent = the sender's datagrams/s (median)"
printf '%-12s %12s %12s %8s %12s %12s\n' workload kernel_pps ours_pps ratio kernel_sent ours_sent
for w in established new; do
  : > "$tmp/k"; : > "$tmp/o"
  for r in $(seq "$rounds"); do # odd rounds kernel first, even rounds ours first
    if [ $((r % 2)) = 1 ]; then
      rate "${tag}ks" "${tag}kr" "$w" >> "$tmp/k"
      rate "${tag}os" "${tag}or" "$w" >> "$tmp/o"
    else
      rate "${tag}os" "${tag}or" "$w" >> "$tmp/o"
      rate "${tag}ks" "${tag}kr" "$w" >> "$tmp/k"
    fi
  done
  k=$(cut -d' ' -f1 "$tmp/k" | median); o=$(cut -d' ' -f1 "$tmp/o" | median)
  ks=$(cut -d' ' -f2 "$tmp/k" | median); os=$(cut -d' ' -f2 "$tmp/o" | median)
  printf '%-12s %12s %12s %8.2f %12s %12s\n' "$w" "$k" "$o" "$(echo "$o / $k" | bc -l)" "$ks" "$os"
  echo "  rounds kernel: $(cut -d' ' -f1 "$tmp/k" | tr '\n' ' ')  ours: $(cut -d' ' -f1 "$tmp/o" | tr '\n' ' ')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# BENCH_PROFILE=1: one more measurement per side and workload under perf (all CPUs; the samples of
# the sender and of ksoftirqd, which carry the whole path): the share of those samples in the
# filter itself, ip_tables' walk and its matches or our programs and the kfuncs, helpers and maps
# they call.
if [ -n "${BENCH_PROFILE:-}" ]; then
  share() { # $1 perf data, $2 symbol regex: percent of all samples
    { perf report --stdio --percentage relative --comms "$comms" --sort sym -i "$1" 2>/dev/null || true; } |
      awk -v re="$2" '$1 ~ /%$/ && $0 ~ re { sub("%", "", $1); s += $1 } END { printf "%.1f%%", s }'
  }
  comms=udpflood,ksoftirqd/0,ksoftirqd/1
  kre='ipt_do_table|conntrack_mt|addrtype_mt|udp_mt|tcp_mt|icmp_match|limit_mt|comment_mt|multiport_mt'
  ore='bpf_prog_|bpf_nf_link_run|nf_hook_run_bpf|bpf_dynptr|__bpf_dynptr|bpf_skb|bpf_rdonly|htab_|trie_lookup|bpf_jiffies|percpu_array'
  echo "perf (one ${secs} s run each): the filter's share of the sender's and ksoftirqd's samples"
  for w in established new; do
    for side in k o; do
      perf record -q -a -F 2999 -o "$tmp/perf.$side" -- sleep "$secs" 2>/dev/null &
      p=$!
      rate "${tag}${side}s" "${tag}${side}r" "$w" > /dev/null
      wait "$p" || true
    done
    echo "  $w: ip_tables $(share "$tmp/perf.k" "$kre") (${kre//|/, }); ours $(share "$tmp/perf.o" "$ore")"
    for side in k o; do
      echo "    top symbols, $([ $side = k ] && echo ip_tables || echo ours):"
      { perf report --stdio --percentage relative --comms "$comms" --sort sym -i "$tmp/perf.$side" 2>/dev/null || true; } |
        awk '$1 ~ /%$/ && n++ < 12 { print "      " $0 }'
    done
  done
fi
# Which rules took the packets, on the kernel's side (ours is the same table; its total below).
echo "kernel's ufw-before-input / ufw-user-input counters:"
ip netns exec "${tag}kr" iptables-legacy -L ufw-before-input -v -x -n --line-numbers | sed -n '3,4p;5p' | sed 's/^/  /'
ip netns exec "${tag}kr" iptables-legacy -L ufw-user-input -v -x -n --line-numbers | sed -n '3,$p' | sed 's/^/  /'
unhold
echo "ours: $(grep '^counters' "$tmp/held")"
