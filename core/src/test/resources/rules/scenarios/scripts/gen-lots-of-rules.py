#!/usr/bin/env python3
"""Writes 28-lots-of-rules.sh: a few hundred generated rules in ~25 chains, restored with
counters from a file, then edited and listed. Seeded, so the script is the same every run."""
import random

r = random.Random(28)
chains = [f"svc-{i:02d}" for i in range(24)]
lines = ["*filter", ":INPUT DROP [1000:64000]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [2000:128000]"]
lines += [f":{c} - [0:0]" for c in chains]

def ctr():
    n = r.randrange(0, 5000)
    return f"[{n}:{n * r.randrange(40, 1500)}] "

def rule(chain, idx):
    parts = [f"-A {chain}"]
    k = r.randrange(10)
    if r.random() < 0.5:
        parts.append(f"-s 10.{r.randrange(256)}.{r.randrange(256)}.0/{r.choice([24, 16, 32, 28])}")
    if r.random() < 0.2:
        parts.append(f"! -d 192.168.{r.randrange(256)}.{r.randrange(1, 255)}")
    if r.random() < 0.3:
        parts.append(f"-i {r.choice(['eth0', 'eth1', 'veth+', 'bond0.100'])}")
    if k < 4:
        parts.append(f"-p tcp -m tcp --dport {r.randrange(1, 65535)}")
    elif k < 6:
        lo = r.randrange(1024, 60000)
        parts.append(f"-p udp -m udp --sport {lo}:{lo + r.randrange(1, 500)}")
    elif k == 6:
        ports = sorted(r.sample(range(1, 10000), r.randrange(2, 6)))
        parts.append("-p tcp -m multiport --dports " + ",".join(map(str, ports)))
    elif k == 7:
        parts.append("-m conntrack --ctstate " + r.choice(["NEW", "RELATED,ESTABLISHED", "INVALID", "NEW,UNTRACKED"]))
    elif k == 8:
        parts.append(f"-m mark --mark 0x{r.randrange(1, 0xffff):x}/0xffff")
    else:
        parts.append(f"-m limit --limit {r.randrange(1, 100)}/{r.choice(['sec', 'min', 'hour'])}")
    if r.random() < 0.3:
        parts.append(f'-m comment --comment "rule {chain}/{idx}"')
    t = r.random()
    if t < 0.35:
        parts.append("-j ACCEPT")
    elif t < 0.6:
        parts.append("-j DROP")
    elif t < 0.7:
        parts.append("-j RETURN")
    elif t < 0.8:
        parts.append(f'-j LOG --log-prefix "{chain} {idx}: "')
    elif t < 0.9:
        parts.append("-j REJECT --reject-with " + r.choice(["icmp-port-unreachable", "icmp-host-prohibited", "icmp-net-unreachable"]))
    else:
        later = [c for c in chains if c > chain]
        parts.append(("-j " + r.choice(later)) if later else "-j ACCEPT")
    return ctr() + " ".join(parts)

for c in chains:
    for i in range(r.randrange(6, 14)):
        lines.append(rule(c, i))
for c in chains[:12]:
    lines.append(ctr() + f"-A INPUT -p tcp -m tcp --dport {8000 + chains.index(c)} -j {c}")
for c in chains[12:]:
    lines.append(ctr() + f"-A FORWARD -o eth{chains.index(c) % 3} -j {c}")
lines.append("COMMIT")
lines += ["*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"]
for i in range(40):
    lines.append(ctr() + f"-A PREROUTING -s 172.16.{i}.0/24 -j MARK --set-xmark 0x{i + 1:x}/0xff")
lines.append("COMMIT")

script = ["# a few hundred generated rules restored with counters, then edited and listed",
          "cat > /tmp/lots.rules <<'R'"] + lines + ["R",
          "iptables-legacy-restore -c < /tmp/lots.rules",
          "iptables-legacy -L -n -v --line-numbers",
          "iptables-legacy -I svc-03 2 -s 10.1.2.3 -j ACCEPT",
          "iptables-legacy -I svc-03 -p tcp --dport 25 -j REJECT --reject-with tcp-reset",
          "iptables-legacy -D svc-05 3",
          "iptables-legacy -D svc-05 99 || true",
          "iptables-legacy -R svc-07 1 -p udp --dport 53 -m comment --comment replaced -j ACCEPT",
          "iptables-legacy -R svc-07 40 -j ACCEPT || true",
          "iptables-legacy -E svc-23 svc-last",
          "iptables-legacy -N spare",
          "iptables-legacy -X spare",
          "iptables-legacy -X svc-last || true",
          "iptables-legacy -Z svc-01",
          "iptables-legacy -Z INPUT 3",
          "iptables-legacy -P FORWARD ACCEPT",
          "iptables-legacy -P svc-02 ACCEPT || true",
          "iptables-legacy -t mangle -D PREROUTING 40",
          "iptables-legacy -t mangle -R PREROUTING 1 -s 172.16.0.0/24 -j MARK --set-mark 0x99",
          "iptables-legacy -t mangle -Z PREROUTING",
          "iptables-legacy -L svc-03 -n -v --line-numbers",
          "iptables-legacy -L svc-07 -n -x -v",
          "iptables-legacy -L INPUT -x -v -n",
          "iptables-legacy -L FORWARD -v",
          "iptables-legacy -S",
          "iptables-legacy -S svc-01",
          "iptables-legacy -t mangle -L -n -v -x --line-numbers",
          "iptables-legacy -F svc-10",
          "iptables-legacy -L svc-10",
          "iptables-legacy-save -c"]
open("28-lots-of-rules.sh", "w").write("\n".join(script) + "\n")
