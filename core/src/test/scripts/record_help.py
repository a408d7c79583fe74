#!/usr/bin/env python3
"""Record iptables-legacy 1.8.9's help: `iptables -h`, and `-m NAME -h`, `-j NAME -h`, `-p PROTO
-h` for every match and target the front-end knows (names as arguments, or those listed by
XtExtensions: `java ... Names`), each in a fresh network namespace (as root).

Writes, under the project (run from its root):
  core/src/test/resources/rules/help/recorded.json    every invocation: argv, stdout, stderr, rc
  core/src/main/resources/bpfilterctl/core/iptables/help/iptables.txt   the usage text (-h alone)
  core/src/main/resources/bpfilterctl/core/iptables/help/{match,target}/NAME.txt
      the extension's own section: what `-m NAME -h` prints after the usage text and its blank line
Usage: record_help.py "MATCH NAMES..." "TARGET NAMES..."
"""
import json, os, subprocess, sys

matches, targets = sys.argv[1].split(), sys.argv[2].split()
protos = ["tcp", "udp", "icmp", "sctp", "dccp", "esp", "ah", "udplite", "all", "6"]
cases = [[]] + [["-m", m] for m in matches] + [["-j", t] for t in targets]
cases += [["-p", p] for p in protos]
cases += [["-p", "tcp", "-m", "limit", "-j", "LOG"], ["-m", "comment", "-m", "mark", "-j", "MARK"]]

INNER = r'''
import json, subprocess, sys
out = []
for argv in json.load(sys.stdin):
    p = subprocess.run(["iptables-legacy"] + argv + ["-h"], capture_output=True, text=True)
    out.append({"argv": argv + ["-h"], "stdout": p.stdout, "stderr": p.stderr, "rc": p.returncode})
json.dump(out, sys.stdout, indent=1)
'''
p = subprocess.run(["unshare", "-n", "-m", "sh", "-c", "mount -t tmpfs none /run && exec python3 -c '%s'" % INNER.replace("'", "'\\''")],
                   input=json.dumps(cases), capture_output=True, text=True, check=True)
recorded = json.loads(p.stdout)
os.makedirs("core/src/test/resources/rules/help", exist_ok=True)
with open("core/src/test/resources/rules/help/recorded.json", "w") as f:
    json.dump(recorded, f, indent=1)
    f.write("\n")
main = "core/src/main/resources/bpfilterctl/core/iptables/help"
for d in ("match", "target"):
    os.makedirs(os.path.join(main, d), exist_ok=True)
usage = recorded[0]["stdout"]
with open(os.path.join(main, "iptables.txt"), "w") as f:
    f.write(usage)
for r in recorded[1:]:
    argv = r["argv"]
    if len(argv) != 3 or argv[0] not in ("-m", "-j"):
        continue
    assert r["stdout"].startswith(usage + "\n"), argv
    d = "match" if argv[0] == "-m" else "target"
    with open(os.path.join(main, d, argv[1] + ".txt"), "w") as f:
        f.write(r["stdout"][len(usage) + 1:])
print("recorded %d invocations" % len(recorded))
