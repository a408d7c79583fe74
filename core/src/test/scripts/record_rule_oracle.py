#!/usr/bin/env python3
"""Record what iptables-legacy and the kernel make of single rules: the oracle of the front-end.

Input (stdin): JSON lines with "table", "chain", "rule" (the text after `-A CHAIN`), other keys
kept. For each, in one fresh network namespace (as root), with the table flushed first:
  iptables-legacy -t T -A C RULE        under strace: rc, stderr, the SET_REPLACE buffer (hex)
  iptables-legacy -t T -S C             "listed"   (the -A line)
  iptables-legacy -t T -L C -n          "list_n"   (the rule's line)
  iptables-legacy -t T -L C             "list"     (non-numeric)
  iptables-legacy -t T -L C -n -v -x    "list_vx"
Output (stdout): the input objects with those keys added ("replace" is null when rc != 0, unless
the case asks "keep_replace": true, for rules only the kernel refuses).
Usage: record_rule_oracle.py < cases.jsonl > oracle.jsonl
"""
import json, os, re, shlex, subprocess, sys, tempfile

SET = re.compile(r'setsockopt\(\d+, SOL_IP, IPT_SO_SET_REPLACE, "((?:\\x[0-9a-f]{2})*)"')

INNER = r'''
import json, subprocess, sys, re, os
SET = re.compile(%r)
def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr
out = []
for line in sys.stdin:
    c = json.loads(line)
    t, ch = c["table"], c["chain"]
    run(["iptables-legacy", "-t", t, "-F"]); run(["iptables-legacy", "-t", t, "-X"])
    for extra in c.get("setup", []):
        run(["iptables-legacy", "-t", t] + extra.split())
    args = ["iptables-legacy", "-t", t, "-A", ch] + __import__("shlex").split(c["rule"])
    tr = "/tmp/rro-trace.txt"
    p = subprocess.run(["strace", "-qq", "-e", "trace=setsockopt", "-s", "16000000", "-xx", "-o", tr] + args,
                       capture_output=True, text=True)
    c["rc"], c["stderr"] = p.returncode, p.stderr.strip()
    m = SET.search(open(tr).read()) if os.path.exists(tr) else None
    keep = p.returncode == 0 or c.get("keep_replace", False)
    c["replace"] = m.group(1).replace("\\x", "") if (m and keep) else None
    if p.returncode == 0:
        c["listed"] = [l for l in run(["iptables-legacy", "-t", t, "-S", ch])[1].splitlines() if l.startswith("-A ")]
        for key, extra in (("list_n", ["-n"]), ("list", []), ("list_vx", ["-n", "-v", "-x"])):
            rc, so, se = run(["iptables-legacy", "-t", t, "-L", ch] + extra)
            c[key] = so.splitlines()[2:] if rc == 0 else None
    print(json.dumps(c), flush=True)
''' % SET.pattern

def main():
    with tempfile.TemporaryDirectory() as d:
        open(f'{d}/inner.py', 'w').write(INNER)
        subprocess.run(['unshare', '-n', sys.executable, f'{d}/inner.py'], stdin=sys.stdin, check=True)

main()
