# Sourced by bench/enforce.sh and bench/enforce-ufw.sh: namespace pairs joined by veth, the
# EnforceBench holder that enforces a table in one of them, and the cleanup of both. The caller
# sets tag (a name prefix unique to the run: interface names are at most 15 characters), tmp (its
# scratch directory) and java_cp, and traps EXIT to netns_cleanup (after its own cleanup, if any).
netns_made=()
holder=""

netns_cleanup() { # the holder, every namespace made here, $tmp
  if [ -n "$holder" ]; then exec 9>&- 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
  for ns in "${netns_made[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$tmp"
}

netns_add() { # $1 name: deleted on exit
  ip netns add "$1"
  netns_made+=("$1")
}

pair() { # $1 sender ns, $2 receiver ns: 10.200.0.1 --veth-- 10.200.0.2, static neighbours
  netns_add "$1"
  netns_add "$2"
  ip link add "${tag}a" netns "$1" type veth peer name "${tag}b" netns "$2"
  ip -n "$1" addr add 10.200.0.1/24 dev "${tag}a"
  ip -n "$2" addr add 10.200.0.2/24 dev "${tag}b"
  for ns in "$1" "$2"; do
    ip -n "$ns" link set lo up
    ip -n "$ns" link set dev "${tag}$([ "$ns" = "$1" ] && echo a || echo b)" up
  done
  # static neighbours: no ARP in the measured path
  ip -n "$1" neigh replace 10.200.0.2 lladdr "$(ip -n "$2" -br link show "${tag}b" | awk '{print $3}')" dev "${tag}a"
  ip -n "$2" neigh replace 10.200.0.1 lladdr "$(ip -n "$1" -br link show "${tag}a" | awk '{print $3}')" dev "${tag}b"
}

udp_in() { # $1 ns: datagrams that reached UDP (InDatagrams + NoPorts + InErrors)
  ip netns exec "$1" awk '/^Udp:/ { if (h) { print $2 + $3 + $4; exit } h = 1 }' /proc/net/snmp
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

machine() { # the line every bench result starts with
  echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
}

hold() { # $1 ns, $2 rules file: EnforceBench installs them there and holds them until unhold
  mkfifo "$tmp/hold"
  java -cp "$java_cp" bpfilterctl.bench.EnforceBench hold "/run/netns/$1" "$2" \
    < "$tmp/hold" > "$tmp/held" &
  holder=$!
  exec 9>"$tmp/hold"
  until grep -q '^ready' "$tmp/held" 2>/dev/null; do
    kill -0 "$holder" 2>/dev/null || { echo "EnforceBench hold failed" >&2; exit 1; }
    sleep 0.2
  done
}

unhold() { # the holder detaches and exits; what it printed stays in $tmp/held
  exec 9>&-
  wait "$holder"
  holder=""
  rm -f "$tmp/hold"
}
