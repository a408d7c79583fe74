#!/usr/bin/env bash
# Enforcement beside ip_tables, in one run. Two namespace pairs joined by veth (sender 10.200.0.1
# -> receiver 10.200.0.2), the same filter table in each receiver's INPUT: N non-matching rules
# `-s 10.100.X.Y/32 -p udp -m udp --dport P -j DROP`, then `-p udp -m udp --dport 9000 -j ACCEPT`;
# in one pair by iptables-legacy (the kernel's ip_tables), in the other by our compiled programs
# (EnforceBench hold: Enforcer.install in that namespace). A Python UDP sender sends for a few
# seconds; packets/s = datagrams that reached the receiver's UDP layer (/proc/net/snmp: InDatagrams
# + NoPorts + InErrors). Each round measures both (which first alternates); medians; ratio = ours
# / kernel.
# Then BPF_PROG_TEST_RUN ns/packet and instructions (linear and with lookups), and compile +
# load/verify + attach times for bigger tables.
# Usage: bench/enforce.sh [sizes...] (root; default sizes 10 100 1000 10000)
#        BENCH_SECONDS=3 BENCH_ROUNDS=3 BENCH_BIG="1000 10000 50000" BENCH_TESTRUN="sizes..."
#        (test runs default to every size, "" for none; 50,000 rules rule by rule take the verifier
#        many minutes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
sizes=("${@:-10 100 1000 10000}")
secs=${BENCH_SECONDS:-3}
rounds=${BENCH_ROUNDS:-3}
big=${BENCH_BIG:-1000 10000 50000}
[ -n "${BENCH_SKIP_BUILD:-}" ] || (cd "$root" && mvn -q -B -DskipTests package -pl bench -am)
tmp=$(mktemp -d)
tag="bpfe$$"
java_cp="$root/bench/target/lib/*"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"
trap netns_cleanup EXIT

pair "${tag}ks" "${tag}kr"
pair "${tag}os" "${tag}or"
netns_add "${tag}x"

rules() { # $1 N: the iptables-restore file
  awk -v n="$1" 'BEGIN {
    print "*filter"; print ":INPUT ACCEPT [0:0]"; print ":FORWARD ACCEPT [0:0]"; print ":OUTPUT ACCEPT [0:0]"
    for (i = 0; i < n; i++)
      printf "-A INPUT -s 10.100.%d.%d/32 -p udp -m udp --dport %d -j DROP\n", int(i / 256) % 256, i % 256, 1 + i % 60000
    print "-A INPUT -p udp -m udp --dport 9000 -j ACCEPT"; print "COMMIT" }'
}

cat > "$tmp/send.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
s.bind(("10.200.0.1", 4000))
end = time.monotonic() + float(sys.argv[1])
payload = b"x" * 18
n = 0
while time.monotonic() < end:
    for _ in range(256):
        s.sendto(payload, ("10.200.0.2", 9000))
    n += 256
print(n)
PY
rate() { # $1 sender ns, $2 receiver ns: packets/s delivered
  local a b
  a=$(udp_in "$2")
  ip netns exec "$1" python3 "$tmp/send.py" "$secs" >/dev/null
  b=$(udp_in "$2")
  echo $(( (b - a) / secs ))
}
machine
printf '%-7s %12s %12s %8s %s\n' rules kernel_pps ours_pps ratio "ours: install (compile+load+verify+attach)"
for n in ${sizes[@]}; do
  rules "$n" > "$tmp/rules"
  ip netns exec "${tag}kr" iptables-legacy-restore < "$tmp/rules"
  hold "${tag}or" "$tmp/rules"
  : > "$tmp/k"; : > "$tmp/o"
  for r in $(seq "$rounds"); do # odd rounds kernel first, even rounds ours first
    if [ $((r % 2)) = 1 ]; then
      rate "${tag}ks" "${tag}kr" >> "$tmp/k"
      rate "${tag}os" "${tag}or" >> "$tmp/o"
    else
      rate "${tag}os" "${tag}or" >> "$tmp/o"
      rate "${tag}ks" "${tag}kr" >> "$tmp/k"
    fi
  done
  unhold
  k=$(median < "$tmp/k"); o=$(median < "$tmp/o")
  printf '%-7s %12s %12s %8.2f %s\n' "$n" "$k" "$o" "$(echo "$o / $k" | bc -l)" \
    "$(grep '^ready' "$tmp/held" | sed 's/^ready //')"
  ip netns exec "${tag}kr" iptables-legacy -F INPUT
done

echo
echo "BPF_PROG_TEST_RUN (LOCAL_IN, the bench's packet, which passes every DROP rule and meets the ACCEPT):"
for n in ${BENCH_TESTRUN-$(printf '%s\n' ${sizes[@]} $big | sort -nu)}; do
  rules "$n" > "$tmp/rules"
  java -cp "$java_cp" bpfilterctl.bench.EnforceBench testrun "$tmp/rules" | sed "s/^/  $n rules: /"
done

echo
echo "install in a fresh namespace (compile + load + verify + attach), ready to filter:"
for n in $big; do
  rules "$n" > "$tmp/rules"
  hold "${tag}x" "$tmp/rules"
  unhold
  echo "  $n rules: $(grep '^ready' "$tmp/held" | sed 's/^ready //')"
done
