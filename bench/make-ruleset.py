#!/usr/bin/env python3
"""Writes an iptables-restore file for the filter table with N rules, the shape firewalls have:
addresses, ports, a few user chains, jumps. Usage: make-ruleset.py N > rules"""
import sys

n = int(sys.argv[1])
print("*filter")
print(":INPUT ACCEPT [0:0]")
print(":FORWARD DROP [0:0]")
print(":OUTPUT ACCEPT [0:0]")
chains = ["svc-%d" % i for i in range(8)]
for c in chains:
    print(":%s - [0:0]" % c)
for i in range(n):
    a, b = divmod(i, 250)
    src = "10.%d.%d.%d/32" % ((a // 250) % 250, a % 250, b + 1)
    port = 1024 + i % 60000
    chain = chains[i % len(chains)] if i % 10 else "INPUT"
    proto = "tcp" if i % 3 else "udp"
    print("-A %s -s %s -p %s -m %s --dport %d -j ACCEPT" % (chain, src, proto, proto, port))
for c in chains:
    print("-A INPUT -j %s" % c)
print("COMMIT")
