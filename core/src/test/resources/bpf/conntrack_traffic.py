# The traffic of ConntrackDifferentialTest, between a client and a server namespace joined by a
# veth, directly or through a router. One process, one thread: it enters a namespace (setns)
# before it creates each socket, and a socket stays in the namespace it was made in, so every step
# runs in a fixed order. Prints one outcome line per step.
#   usage: conntrack_traffic.py CLIENT_NS SERVER_NS PHASE CLIENT_ADDR SERVER_ADDR
#   (PHASE: main | untracked)
import ctypes
import os
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
CLIENT, SERVER, PHASE, CA, SA = sys.argv[1:6]
SHORT = 0.5  # below the first SYN retransmission (1 s): a dropped SYN is sent once


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
    finally:
        os.close(fd)


def recvn(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            break
        got += chunk
    return got


def listener(ns, addr, port):
    enter(ns)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    return s


def conversation(ns, listen, addr, port, out_len, back_len):
    """Connect, send out_len bytes, get them back with back_len more, half-close, both close."""
    enter(ns)
    c = socket.socket()
    c.settimeout(2)
    try:
        c.connect((addr, port))
    except socket.timeout:
        c.close()
        return "timeout"
    except ConnectionRefusedError:
        c.close()
        return "refused"
    s, _ = listen.accept()
    s.settimeout(2)
    c.sendall(b"a" * out_len)
    got = recvn(s, out_len)
    s.sendall(got + b"b" * back_len)
    back = recvn(c, out_len + back_len)
    c.shutdown(socket.SHUT_WR)
    eof = s.recv(10)
    s.close()
    end = c.recv(10)
    c.close()
    return "ok %d %d eof %d %d" % (len(got), len(back), len(eof), len(end))


def connect_only(ns, addr, port):
    enter(ns)
    c = socket.socket()
    c.settimeout(SHORT)
    try:
        c.connect((addr, port))
        return "connected"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    finally:
        c.close()


def udp(ns, addr, port, size):
    """A datagram to a port nobody listens on: an ICMP port unreachable comes back, or nothing."""
    enter(ns)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(SHORT)
    u.connect((addr, port))
    u.send(b"u" * size)
    try:
        u.recv(100)
        return "answered"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    finally:
        u.close()


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def stray_tcp(ns, src, dst, sport, dport, flags):
    """A lone TCP segment with correct checksums, sent raw from ns."""
    enter(ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 0x50, flags, 8192, 0, 0)
    pseudo = saddr + daddr + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, saddr, daddr)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    s.sendto(ip + tcp, (dst, 0))
    s.close()
    return "sent"


def main():
    steps = []
    if PHASE == "main":
        ssh = listener(SERVER, SA, 22)
        blocked = listener(SERVER, SA, 8080)
        back = listener(CLIENT, CA, 7000)
        steps.append(("tcp 22 both ways", conversation(CLIENT, ssh, SA, 22, 1000, 500)))
        steps.append(("tcp 22 again", conversation(CLIENT, ssh, SA, 22, 3000, 7000)))
        steps.append(("tcp 23 closed", connect_only(CLIENT, SA, 23)))
        steps.append(("tcp 8080 blocked", connect_only(CLIENT, SA, 8080)))
        steps.append(("udp 5353 closed", udp(CLIENT, SA, 5353, 100)))
        steps.append(("udp 5354 blocked", udp(CLIENT, SA, 5354, 100)))
        steps.append(("server udp to client", udp(SERVER, CA, 6000, 200)))
        steps.append(("server tcp to client", conversation(SERVER, back, CA, 7000, 300, 40)))
        steps.append(("stray ack", stray_tcp(CLIENT, CA, SA, 40000, 22, 0x10)))
        steps.append(("syn fin", stray_tcp(CLIENT, CA, SA, 40001, 22, 0x03)))
        steps.append(("after stray", conversation(CLIENT, ssh, SA, 22, 10, 10)))
        for s in (ssh, blocked, back):
            s.close()
    else:
        steps.append(("udp 9999 untracked", udp(CLIENT, SA, 9999, 60)))
        steps.append(("udp 9998 tracked", udp(CLIENT, SA, 9998, 60)))
    for name, outcome in steps:
        print("%s: %s" % (name, outcome))


main()
