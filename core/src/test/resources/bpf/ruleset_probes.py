# The client of RealRulesetKernelTest: runs the probes given as JSON in argv[2] against the server
# address argv[1] and prints one JSON list of outcomes: "connected:<echo>", "answered:<echo>",
# "reply" (ICMP echo), "timeout", or the errno's name (ECONNREFUSED, EHOSTUNREACH, ...), with the
# milliseconds each took. Source ports are fixed so that LOG lines are the same run to run, and a
# connection ends with a reset so that every run has the same segments.
import errno, json, socket, struct, sys, time

dst = sys.argv[1]
probes = json.loads(sys.argv[2])


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((p["src"], p["sport"]))
    s.settimeout(p["timeout"])
    try:
        s.connect((dst, p["port"]))
        s.sendall(b"hello")
        got = s.recv(100).decode()
        # a reset instead of the FIN exchange, whose segment count depends on timing
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return "connected:" + got
    finally:
        s.close()


def udp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((p["src"], p["sport"]))
    s.settimeout(p["timeout"])
    try:
        s.connect((dst, p["port"]))
        s.send(b"datagram")
        return "answered:" + s.recv(100).decode()
    finally:
        s.close()


def ping(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(p["timeout"])
    try:
        body = struct.pack("!HH", 0x4242, 1) + b"ping"
        s.sendto(struct.pack("!BBH", 8, 0, checksum(b"\x08\x00\x00\x00" + body)) + body, (dst, 0))
        while True:
            got = s.recv(200)
            ihl = (got[0] & 0x0F) * 4
            if got[ihl] == 0 and got[ihl + 4 : ihl + 6] == b"\x42\x42":
                return "reply"
    finally:
        s.close()


out = []
for p in probes:
    t0 = time.time()
    try:
        r = {"tcp": tcp, "udp": udp, "ping": ping}[p["kind"]](p)
    except socket.timeout:
        r = "timeout"
    except OSError as e:
        r = errno.errorcode.get(e.errno, repr(e))
    out.append({"probe": p["name"], "result": r, "ms": int((time.time() - t0) * 1000)})
print(json.dumps({"probes": out}))
