#!/usr/bin/env python3
"""Writes an iptables-restore file for the filter table made of chains, the shape that exposed a
front-end whose chain handling was quadratic: N empty user chains ("flat"), or N chains each
jumping to the next ("deep", N - 1 jump rules). Usage: make-chains.py flat|deep N > rules"""
import sys

shape, n = sys.argv[1], int(sys.argv[2])
print("*filter")
for i in range(n):
    print(":c%06d - [0:0]" % i)
if shape == "deep":
    for i in range(n - 1):
        print("-A c%06d -j c%06d" % (i, i + 1))
elif shape != "flat":
    sys.exit("shape: flat or deep")
print("COMMIT")
