#!/usr/bin/env python3
"""Restores RULES into the kernel with iptables-legacy-restore in a fresh netns under strace, and
writes the IPT_SO_SET_REPLACE blob it sent to OUT (binary). Usage: capture-replace.py RULES OUT"""
import os, re, subprocess, sys, tempfile

rules, out = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    trace = os.path.join(d, "trace")
    subprocess.run(["unshare", "-n", "strace", "-f", "-qq", "-e", "trace=setsockopt", "-s", "200000000",
                    "-xx", "-o", trace, "iptables-legacy-restore", rules], check=True)
    blob = None
    for line in open(trace):
        m = re.search(r'setsockopt\(\d+, SOL_IP, IPT_SO_SET_REPLACE, "((?:\\x[0-9a-f]{2})*)"', line)
        if m:
            blob = bytes.fromhex(m.group(1).replace("\\x", ""))
    if blob is None:
        sys.exit("no IPT_SO_SET_REPLACE in the trace")
    open(out, "wb").write(blob)
