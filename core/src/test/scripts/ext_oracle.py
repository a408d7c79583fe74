#!/usr/bin/env python3
"""Record what the real kernel's x_tables answers for each iptables extension: ext-oracle.jsonl.

Run as root on a machine with ip_tables (legacy) built in or loadable:
  python3 core/src/test/scripts/ext_oracle.py | gzip -9 > core/src/test/resources/ext-oracle.jsonl.gz

1. Specimens: every rule of the shared conformance data (iptables' own extension tests and the
   recorded iptables-legacy scenarios) is turned into the SET_REPLACE blob iptables-legacy builds
   (run under strace in a throw-away netns); each entry with a match or a non-standard target is a
   specimen: its ipt_ip, matches and target, as iptables encoded them.
2. Probes: each specimen, alone in a freshly built table, is sent to the kernel with
   /work/shared/tools/kernel-sockopt as is, with each extension's revision bumped, with its data
   grown/shrunk by 8 bytes, in every other table and hook, and with another/inverted protocol.
   Accepted blobs are read back with GET_ENTRIES (what usersize leaves of the data).
   After each accepted blob the table is replaced by an empty one again, so that nothing a rule
   made (rate estimator, idle timer, hashlimit table) changes how the next one is checked.
3. Byte flips: each data byte of one accepted specimen per extension revision set to 0xff.
4. Size probes: zero data of every size 0..528 (and 4112) for every revision the kernel knows.
5. GET_REVISION_MATCH/TARGET for every name the kernel lists (and a few it does not), revisions 0..4
   (done first, it also tells 4. which revisions exist).

Output, one JSON object a line:
  {"case":"rule", "table", "hook", "proto", "invflags", "flags",
   "matches":[{"name","revision","data"}], "target":{...}, "errno": null|"EINVAL"...,
   "readback": {"matches":[hex...], "target":hex} (accepted only), "why": mutation, "blob": hex}
  {"case":"revision", "kind":"match"|"target", "name", "revision", "rc", "errno"}
"""
import json, os, re, shlex, struct, subprocess, sys, tempfile

SHARED = '/work/shared'
SOCKOPT = SHARED + '/tools/kernel-sockopt'
TABLES = {  # valid hooks (NF_INET_*) and the entry count of the fresh table
    'filter': ([1, 2, 3], 4), 'nat': ([0, 1, 3, 4], 5), 'mangle': ([0, 1, 2, 3, 4], 6),
    'raw': ([0, 3], 3), 'security': ([1, 2, 3], 4)}
CHAINS = {'PREROUTING': 0, 'INPUT': 1, 'FORWARD': 2, 'OUTPUT': 3, 'POSTROUTING': 4}


# ---- a light ipt blob reader/builder (uapi layouts, x86-64) ----
def align8(n):
    return (n + 7) & ~7


def ext_blob(name, rev, data):
    size = 32 + align8(len(data))
    return struct.pack('<H29sB', size, name.encode(), rev) + data + b'\0' * (align8(len(data)) - len(data))


def entry_blob(ip, matches, target):
    body = b''.join(ext_blob(*m) for m in matches)
    t = ext_blob(*target)
    toff = 112 + len(body)
    return ip[:84] + struct.pack('<IHHI', 0, toff, toff + len(t), 0) + b'\0' * 16 + body + t


def ip_hdr(proto=0, flags=0, invflags=0):
    return b'\0' * 80 + struct.pack('<HBB', proto, flags, invflags)


def policy():
    return entry_blob(ip_hdr(), [], ('', 0, struct.pack('<i', -2)))


def error_entry():
    return entry_blob(ip_hdr(), [], ('ERROR', 0, b'ERROR'.ljust(32, b'\0')))


def replace_blob(table, hook, rule, num_counters):
    hooks, _ = TABLES[table]
    entries = b''
    he, uf = [0] * 5, [0] * 5
    n = 0
    for h in hooks:
        he[h] = len(entries)
        if h == hook:
            entries += rule
            n += 1
        uf[h] = len(entries)
        entries += policy()
        n += 1
    entries += error_entry()
    n += 1
    valid = sum(1 << h for h in hooks)
    hdr = struct.pack('<32sIII5I5IIQ', table.encode(), valid, n, len(entries), *he, *uf, num_counters, 0)
    return hdr + entries, n, he[hook] if hook is not None else 0


def parse_exts(e, start, end):
    out = []
    off = start
    while off < end:
        size, name, rev = struct.unpack_from('<H29sB', e, off)
        out.append((name.split(b'\0')[0].decode(), rev, e[off + 32:off + size]))
        off += size
    return out


def parse_replace(buf):
    table = buf[:32].split(b'\0')[0].decode()
    valid, n, size = struct.unpack_from('<III', buf, 32)
    he = struct.unpack_from('<5I', buf, 44)
    uf = struct.unpack_from('<5I', buf, 64)
    ents = buf[96:96 + size]
    off = 0
    out = []
    while off < size:
        toff, noff = struct.unpack_from('<HH', ents, off + 88)
        e = ents[off:off + noff]
        hook = next((h for h in range(5) if valid >> h & 1 and he[h] <= off < uf[h]), None)
        out.append((hook, e[:84], parse_exts(e, 112, toff), parse_exts(e, toff, noff)[0]))
        off += noff
    return table, out


# ---- 1. specimens ----
def strace_rule(table, chain, rule):
    with tempfile.NamedTemporaryFile('r', suffix='.st') as st:
        cmd = ['strace', '-f', '-e', 'trace=setsockopt', '-s', '9999999', '-xx', '-o', st.name,
               'iptables-legacy', '-t', table, '-A', chain] + shlex.split(rule)
        subprocess.run(['unshare', '-n'] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for line in st:
            m = re.search(r'IPT_SO_SET_REPLACE, "((?:\\x[0-9a-f]{2})*)"', line)
            if m:
                return bytes.fromhex(m.group(1).replace('\\x', ''))
    return None


def specimens():
    seen, out = set(), []

    def add(blob, origin):
        table, ents = parse_replace(blob)
        for hook, ip, matches, target in ents:
            if not matches and target[0] in ('', 'ERROR'):
                continue
            if hook is None:
                continue
            if target[0] == '' and struct.unpack('<i', target[2][:4])[0] >= 0:
                # a jump (libiptc ends a rule without -j with one to the next rule): its offset means
                # nothing in the table we build, so the specimen ACCEPTs instead
                target = ('', 0, struct.pack('<i', -2) + target[2][4:])
            key = (table, hook, ip, tuple(matches), target)
            if key not in seen:
                seen.add(key)
                out.append(dict(table=table, hook=hook, ip=ip, matches=matches, target=target, origin=origin))

    for line in open(SHARED + '/conformance/iptables-extension-tests/cases.jsonl'):
        c = json.loads(line)
        if c['chain'] not in CHAINS:
            continue
        try:
            blob = strace_rule(c['table'], c['chain'], c['rule'])
        except ValueError:
            blob = None
        if blob:
            add(blob, c['file'] + ': ' + c['rule'])
    d = SHARED + '/conformance/iptables-legacy-1.8.9'
    for f in sorted(os.listdir(d)):
        if f.endswith('.json'):
            for call in json.load(open(os.path.join(d, f)))['calls']:
                if call['cmd'] == 'IPT_SO_SET_REPLACE' and call['buf']:
                    add(bytes.fromhex(call['buf']), f)
    return out


# ---- 2. probes ----
class Kernel:
    def __init__(self):
        self.p = subprocess.Popen([sys.executable, SOCKOPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.count = {t: n for t, (_, n) in TABLES.items()}

    def call(self, op, cmd, buf):
        self.p.stdin.write(json.dumps({'op': op, 'cmd': cmd, 'buf': buf.hex()}) + '\n')
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def replace(self, table, hook, rule):
        blob, n, off = replace_blob(table, hook, rule, self.count[table])
        r = self.call('set', 64, blob)
        readback = None
        if r['rc'] == 0:
            self.count[table] = n
            size = len(blob) - 96
            g = self.call('get', 65, struct.pack('<32sI4x', table.encode(), size) + b'\0' * size)
            ents = bytes.fromhex(g['buf'])[40:]
            toff, noff = struct.unpack_from('<HH', ents, off + 88)
            e = ents[off:off + noff]
            readback = {'matches': [m[2].hex() for m in parse_exts(e, 112, toff)],
                        'target': parse_exts(e, toff, noff)[0][2].hex()}
            # back to the empty table, so that nothing this rule made (a rate estimator, an idle
            # timer, a hashlimit table) is still alive when the next rule is checked
            empty, n, _ = replace_blob(table, None, b'', self.count[table])
            assert self.call('set', 64, empty)['rc'] == 0
            self.count[table] = n
        return r['errno'], readback, blob


def probe(k, s, table, hook, ip, matches, target, why):
    rule = entry_blob(ip, matches, target)
    err, readback, blob = k.replace(table, hook, rule)
    proto, flags, inv = struct.unpack_from('<HBB', ip, 80)
    rec = {'case': 'rule', 'why': why, 'origin': s['origin'], 'table': table, 'hook': hook,
           'proto': proto, 'flags': flags, 'invflags': inv,
           'matches': [{'name': n, 'revision': r, 'data': d.hex()} for n, r, d in matches],
           'target': {'name': target[0], 'revision': target[1], 'data': target[2].hex()},
           'errno': err}
    if readback:
        rec['readback'] = readback
    rec['blob'] = blob.hex()
    print(json.dumps(rec), flush=True)
    return err


def mutations(k, s):
    t, h, ip, ms, tg = s['table'], s['hook'], s['ip'], s['matches'], s['target']
    err = probe(k, s, t, h, ip, ms, tg, 'as recorded')
    exts = [('m', i) for i in range(len(ms))] + ([('t', 0)] if tg[0] not in ('', 'ERROR') else [])
    for kind, i in exts:
        def swap(f):
            if kind == 'm':
                return [f(m) if j == i else m for j, m in enumerate(ms)], tg
            return ms, f(tg)
        e = ms[i] if kind == 'm' else tg
        probe(k, s, t, h, ip, *swap(lambda x: (x[0], x[1] + 1, x[2])), f'{e[0]} revision+1')
        probe(k, s, t, h, ip, *swap(lambda x: (x[0], x[1], x[2] + b'\0' * 8)), f'{e[0]} data+8')
        if len(e[2]) >= 8:
            probe(k, s, t, h, ip, *swap(lambda x: (x[0], x[1], x[2][:align8(len(x[2])) - 8])), f'{e[0]} data-8')
    for t2, (hooks, _) in TABLES.items():
        for h2 in hooks:
            if (t2, h2) != (t, h):
                probe(k, s, t2, h2, ip, ms, tg, f'moved to {t2}/{h2}')
    proto, flags, inv = struct.unpack_from('<HBB', ip, 80)
    for p2, inv2, why in ((0, inv & ~0x40, 'proto any'), (17 if proto == 6 else 6, inv & ~0x40, 'other proto'),
                          (proto, inv ^ 0x40, 'proto inverted')):
        probe(k, s, t, h, ip[:80] + struct.pack('<HBB', p2, flags, inv2), ms, tg, why)
    return err


def byte_flips(k, specs, accepted):
    """Each data byte of accepted specimens set to 0xff (up to three specimens per extension
    revision), and to 0x01 and 0x80 (the first one): the flag and range checks of checkentry, on
    otherwise valid data."""
    seen = {}
    for s in specs:
        if id(s) not in accepted:
            continue
        t, h, ip, ms, tg = s['table'], s['hook'], s['ip'], s['matches'], s['target']
        exts = [('m', i, m) for i, m in enumerate(ms)] + ([('t', 0, tg)] if tg[0] not in ('', 'ERROR') else [])
        for kind, i, e in exts:
            n = seen.get((kind, e[0], e[1]), 0)
            if n >= 3:
                continue
            seen[(kind, e[0], e[1])] = n + 1
            for value in ((0xff, 0x01, 0x80) if n == 0 else (0xff,)):
                for pos in range(len(e[2])):
                    if e[2][pos] == value:
                        continue
                    data = e[2][:pos] + bytes([value]) + e[2][pos + 1:]
                    why = f'{e[0]} byte {pos} = {value:#04x}'
                    if kind == 'm':
                        probe(k, s, t, h, ip, [(n_, r, data) if j == i else (n_, r, d)
                                               for j, (n_, r, d) in enumerate(ms)], tg, why)
                    else:
                        probe(k, s, t, h, ip, ms, (tg[0], tg[1], data), why)


def odd_names(k):
    """Lookups that fail before any extension is found: an unknown name, a name of 29 characters
    (no room for its NUL), a target name asked as a match."""
    s = {'origin': 'names'}
    accept = ('', 0, struct.pack('<i', -2) + b'\0' * 4)
    for name in ('nosuchmatch', 'x' * 28, 'x' * 29, 'REJECT'):
        probe(k, s, 'filter', 1, ip_hdr(), [(name, 0, b'')], accept, f'match named {name}')
    for name in ('nosuchtarget', 'X' * 28, 'X' * 29, 'tcp'):
        probe(k, s, 'filter', 1, ip_hdr(), [], (name, 0, b''), f'target named {name}')


def size_probes(k, specs, known):
    """Zero data of every size up to 528 bytes (and 4112, cgroup v1) for every revision the kernel
    knows, in the context of a specimen of the same name if there is one: which size passes the
    size check, and what checkentry says of zeros."""
    ctx = {}
    for s in specs:
        for n, r, d in s['matches']:
            ctx.setdefault(('match', n), s)
        ctx.setdefault(('target', s['target'][0]), s)
    accept = ('', 0, struct.pack('<i', -2) + b'\0' * 4)
    for (kind, name), revs in sorted(known.items()):
        if (kind, name) in ctx:
            places = [ctx[(kind, name)]]
        else:
            # no specimen tells where it may be used: try the first hook of every table
            places = [{'table': t, 'hook': hooks[0], 'ip': ip_hdr(), 'matches': [], 'target': accept,
                       'origin': 'size probe'} for t, (hooks, _) in TABLES.items()]
        for s in places:
            others = [m for m in s['matches'] if m[0] != name]
            for rev in revs:
                for size in list(range(0, 536, 8)) + [4112]:
                    ext = (name, rev, b'\0' * size)
                    why = f'{name} rev {rev} zeros {size}'
                    if kind == 'match':
                        probe(k, s, s['table'], s['hook'], s['ip'], others + [ext], s['target'], why)
                    else:
                        probe(k, s, s['table'], s['hook'], s['ip'], s['matches'], ext, why)


def revisions(k):
    names = {'match': set(open('/proc/net/ip_tables_matches').read().split()) | {'nosuchmatch', 'NOTRACK', 'ipvs'},
             'target': set(open('/proc/net/ip_tables_targets').read().split()) | {'nosuchtarget', 'ACCEPT', 'LED', 'tcp'}}
    known = {}
    for kind, cmd in (('match', 66), ('target', 67)):
        for name in sorted(names[kind]):
            for rev in range(5):
                r = k.call('get', cmd, struct.pack('<29sB', name.encode(), rev))
                print(json.dumps({'case': 'revision', 'kind': kind, 'name': name, 'revision': rev,
                                  'rc': r['rc'], 'errno': r['errno']}), flush=True)
                if r['rc'] == 0:
                    known.setdefault((kind, name), []).append(rev)
    return known


def main():
    k = Kernel()
    known = revisions(k)
    specs = specimens()
    print(f'{len(specs)} specimens', file=sys.stderr)
    accepted = set()
    for s in specs:
        if mutations(k, s) is None:
            accepted.add(id(s))
    byte_flips(k, specs, accepted)
    odd_names(k)
    size_probes(k, specs, known)


if __name__ == '__main__':
    main()
