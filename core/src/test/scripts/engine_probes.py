#!/usr/bin/env python3
"""Edge-case IPT_SO_* call sequences for the table engine, answered by the real kernel.

Writes JSON lines in make-mutations' format (source, case, calls, kernel), one fresh netns per case.
Usage: engine_probes.py OUT.jsonl (as root; needs ../shared/tools/kernel-sockopt and the fixtures)
"""
import json, os, struct, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = HERE
while not os.path.isdir(os.path.join(ROOT, 'shared', 'conformance')) and ROOT != '/':
    ROOT = os.path.dirname(ROOT)
KS = os.path.join(ROOT, 'shared', 'tools', 'kernel-sockopt')
FIX = os.path.join(ROOT, 'shared', 'conformance', 'iptables-legacy-1.8.9')

def name(n, size=32): return n.encode().ljust(size, b'\0')[:size]
def getinfo(t, ln=84): return {'op': 'get', 'cmd': 64, 'buf': (name(t) + bytes(52))[:ln].ljust(ln, b'\0').hex()}
def getentries(t, size, ln=None):
    b = name(t) + struct.pack('<I', size) + bytes(4) + bytes(size)
    if ln is not None: b = b[:ln].ljust(ln, b'\0')
    return {'op': 'get', 'cmd': 65, 'buf': b.hex()}
def rev(cmd, n, r, ln=30): return {'op': 'get', 'cmd': cmd, 'buf': (name(n, 29) + bytes([r]))[:ln].ljust(ln, b'\0').hex()}
def rev_raw(cmd, raw): return {'op': 'get', 'cmd': cmd, 'buf': raw.hex()}
def addc(t, counters, num=None, extra=b''):
    num = len(counters) if num is None else num
    b = name(t) + struct.pack('<I', num) + bytes(4) + b''.join(struct.pack('<QQ', p, c) for p, c in counters) + extra
    return {'op': 'set', 'cmd': 65, 'buf': b.hex()}
def replace(blob, **kw):
    b = bytearray(blob)
    if 'table' in kw: b[0:32] = name(kw['table'])
    if 'num_counters' in kw: struct.pack_into('<I', b, 84, kw['num_counters'])
    return {'op': 'set', 'cmd': 64, 'buf': bytes(b).hex()}

def first_replace(scenario):
    rec = json.load(open(os.path.join(FIX, scenario)))
    return bytes.fromhex([c for c in rec['calls'] if c['op'] == 'set' and c['cmd'] == 'IPT_SO_SET_REPLACE' and c['rc'] == 0][0]['buf'])

def cases():
    f5 = first_replace('02-append-basic.json')           # filter, 5 entries, replacing the fresh 4
    size5 = struct.unpack_from('<I', f5, 40)[0]
    five = [(i + 1, 100 * (i + 1)) for i in range(5)]
    yield 'getinfo-len83', [getinfo('filter', 83), getinfo('filter')]
    yield 'getinfo-len85', [getinfo('filter', 85), getinfo('filter')]
    yield 'getinfo-nosuch', [getinfo('nosuch'), getinfo('filter')]
    yield 'getinfo-name32', [{'op': 'get', 'cmd': 64, 'buf': (b'x' * 32 + bytes(52)).hex()}, getinfo('filter')]
    yield 'getinfo-filter-trailing-garbage', [{'op': 'get', 'cmd': 64, 'buf': (b'filter\0zz'.ljust(32, b'q') + b'\x55' * 52).hex()}, getinfo('filter')]
    yield 'getentries-len39', [getinfo('filter'), getentries('filter', 632, 39)]
    yield 'getentries-len40-size0', [getinfo('filter'), getentries('filter', 0)]
    yield 'getentries-len-mismatch', [getinfo('filter'), getentries('filter', 632, 680)]
    yield 'getentries-size-mismatch', [getinfo('filter'), getentries('filter', 640)]
    yield 'getentries-nosuch', [getinfo('filter'), getentries('nosuch', 632)]
    yield 'getentries-fresh-nat-first', [getentries('nat', 784), getinfo('nat')]
    for t in ('tcp', 'udp', 'mark', 'conntrack', 'comment', 'nosuch'):
        for r in (0, 1, 3, 200):
            yield f'rev-match-{t}-{r}', [rev(66, t, r), getinfo('filter')]
    for t in ('LOG', 'REJECT', 'MARK', 'CONNMARK', 'ERROR', '', 'NOSUCH', 'TCPMSS', 'CT'):
        for r in (0, 1, 2, 9):
            yield f'rev-target-{t or "standard"}-{r}', [rev(67, t, r), getinfo('filter')]
    yield 'rev-len29', [rev(66, 'tcp', 0, 29), getinfo('filter')]
    yield 'rev-len31', [rev(66, 'tcp', 0, 31), getinfo('filter')]
    yield 'rev-name29-unterminated', [rev_raw(66, b'tcp'.ljust(29, b'x') + b'\0'), getinfo('filter')]
    yield 'addc-fresh-ok', [addc('filter', five[:4]), getentries('filter', 632)]
    yield 'addc-len39', [{'op': 'set', 'cmd': 65, 'buf': (name('filter') + bytes(7)).hex()}, getinfo('filter')]
    yield 'addc-num0', [addc('filter', []), getinfo('filter')]
    yield 'addc-num-too-many', [addc('filter', five), getentries('filter', 632)]
    yield 'addc-len-mismatch', [addc('filter', five[:4], extra=b'\0' * 8), getentries('filter', 632)]
    yield 'addc-num-vs-len', [addc('filter', five[:4], num=5), getentries('filter', 632)]
    yield 'addc-nosuch', [addc('nosuch', five[:4]), getinfo('filter')]
    yield 'addc-raw-fresh', [addc('raw', five[:3]), getentries('raw', 480)]
    yield 'replace-addc-replace-counters', [
        getinfo('filter'), replace(f5), addc('filter', five), addc('filter', five),
        replace(f5, num_counters=5), getentries('filter', size5)]
    yield 'replace-twice-eagain', [replace(f5), replace(f5), getinfo('filter')]
    yield 'replace-as-security', [replace(f5, table='security'), getinfo('security'), getentries('security', size5)]
    yield 'replace-as-raw', [replace(f5, table='raw'), getinfo('raw')]
    yield 'replace-as-nat', [replace(f5, table='nat'), getinfo('nat')]
    yield 'replace-as-nosuch', [replace(f5, table='nosuch'), getinfo('filter')]
    yield 'replace-num-counters-counters-alloc', [replace(f5, num_counters=0x3000000), getinfo('filter')]
    yield 'replace-num-counters-int-max', [replace(f5, num_counters=0x8000000), getinfo('filter')]
    yield 'replace-num-counters-huge', [replace(f5, num_counters=0xffffffff), getinfo('filter')]

def main():
    out = open(sys.argv[1], 'w')
    for case, calls in cases():
        r = subprocess.run([KS], input=''.join(json.dumps(c) + '\n' for c in calls), capture_output=True, text=True)
        ans = [json.loads(l) for l in r.stdout.splitlines()]
        out.write(json.dumps({'source': 'engine-probes', 'table': 'filter', 'case': case, 'calls': calls, 'kernel': ans}) + '\n')
        out.flush()

main()
