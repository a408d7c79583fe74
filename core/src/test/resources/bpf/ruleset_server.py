# The server of RealRulesetKernelTest: echoes on every TCP and UDP port in argv[2] (comma
# separated) at address argv[1], so that a refusal or a timeout can only come from the filter
# table, never from a closed port. Prints "ready" once all are bound; runs until killed.
import select, socket, sys

addr = sys.argv[1]
listening = {}
for spec in sys.argv[2].split(","):
    proto, port = spec.split("/")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    if proto == "tcp":
        s.listen(8)
    listening[s] = proto
print("ready", flush=True)
while True:
    ready, _, _ = select.select(list(listening), [], [])
    for s in ready:
        if listening[s] == "tcp":
            c, _ = s.accept()
            c.settimeout(2)
            try:
                c.sendall(c.recv(100))
                c.recv(100)  # until the client's reset
            except OSError:
                pass
            c.close()
        else:
            data, peer = s.recvfrom(100)
            s.sendto(data, peer)
