# restore files that go wrong part way: a committed table stays, the failing one is left as it was
iptables-legacy -t nat -A POSTROUTING -o eth9 -j MASQUERADE
iptables-legacy -A INPUT -s 10.9.9.9 -j DROP
cat > /tmp/two-tables <<'R'
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:web - [0:0]
-A INPUT -p tcp -m tcp --dport 443 -j web
-A web -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.80
-A PREROUTING -p tcp --dport 99999 -j DNAT --to-destination 10.0.0.81
COMMIT
R
iptables-legacy-restore < /tmp/two-tables || true
iptables-legacy-save
cat > /tmp/missing-chain <<'R'
*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-mark 1
COMMIT
*filter
-A INPUT -j nosuch
COMMIT
R
iptables-legacy-restore --noflush < /tmp/missing-chain || true
cat > /tmp/no-commit <<'R'
*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -j CT --notrack
R
iptables-legacy-restore < /tmp/no-commit || true
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -s 1.2.3.4 -j nosuchtarget\nCOMMIT\n' | iptables-legacy-restore || true
printf '*filter\n[5:x] -A INPUT -j ACCEPT\nCOMMIT\n' | iptables-legacy-restore -c || true
printf '*filter\n:INPUT ACCEPT [1:2\nCOMMIT\n' | iptables-legacy-restore -c || true
printf '*nosuchtable\nCOMMIT\n' | iptables-legacy-restore || true
printf '*filter\n-X INPUT\nCOMMIT\n' | iptables-legacy-restore --noflush || true
printf '*filter\n:web - [0:0]\n-A INPUT -j web\nCOMMIT\n' | iptables-legacy-restore --noflush || true
printf '*filter\n-D INPUT -s 10.9.9.9 -j DROP\n-D INPUT -s 10.9.9.9 -j DROP\nCOMMIT\n' | iptables-legacy-restore --noflush || true
printf '*filter\n-N extra\n-A extra -j RETURN\n-I INPUT 1 -j extra\nCOMMIT\n' | iptables-legacy-restore --noflush
printf '*filter\n:INPUT ACCEPT [7:700]\n[3:300] -A INPUT -j ACCEPT\nCOMMIT\n' | iptables-legacy-restore -c -T filter
iptables-legacy-restore --bogus < /tmp/no-commit || true
iptables-legacy-save -c
