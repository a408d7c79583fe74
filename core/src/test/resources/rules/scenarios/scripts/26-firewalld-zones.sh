# firewalld (iptables backend): zone dispatch chains in every table, then a zone's rules
cat > /tmp/fwd.rules <<'R'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:PREROUTING_direct - [0:0]
:PREROUTING_ZONES - [0:0]
:OUTPUT_direct - [0:0]
:PRE_public - [0:0]
:PRE_public_log - [0:0]
:PRE_public_deny - [0:0]
:PRE_public_allow - [0:0]
-A PREROUTING -j PREROUTING_direct
-A PREROUTING -j PREROUTING_ZONES
-A OUTPUT -j OUTPUT_direct
-A PREROUTING_ZONES -i eth0 -g PRE_public
-A PREROUTING_ZONES -g PRE_public
-A PRE_public -j PRE_public_log
-A PRE_public -j PRE_public_deny
-A PRE_public -j PRE_public_allow
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:PREROUTING_direct - [0:0]
:PREROUTING_ZONES - [0:0]
:PRE_public - [0:0]
:PRE_public_allow - [0:0]
-A PREROUTING -j PREROUTING_direct
-A PREROUTING -j PREROUTING_ZONES
-A PREROUTING_ZONES -i eth0 -g PRE_public
-A PREROUTING_ZONES -g PRE_public
-A PRE_public -j PRE_public_allow
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:PREROUTING_direct - [0:0]
:PREROUTING_ZONES - [0:0]
:POSTROUTING_direct - [0:0]
:POSTROUTING_ZONES - [0:0]
:PRE_public - [0:0]
:PRE_public_allow - [0:0]
:POST_public - [0:0]
:POST_public_allow - [0:0]
-A PREROUTING -j PREROUTING_direct
-A PREROUTING -j PREROUTING_ZONES
-A POSTROUTING -j POSTROUTING_direct
-A POSTROUTING -j POSTROUTING_ZONES
-A PREROUTING_ZONES -i eth0 -g PRE_public
-A PREROUTING_ZONES -g PRE_public
-A POSTROUTING_ZONES -o eth0 -g POST_public
-A POSTROUTING_ZONES -g POST_public
-A PRE_public -j PRE_public_allow
-A POST_public -j POST_public_allow
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:INPUT_direct - [0:0]
:INPUT_ZONES - [0:0]
:FORWARD_direct - [0:0]
:FORWARD_IN_ZONES - [0:0]
:FORWARD_OUT_ZONES - [0:0]
:OUTPUT_direct - [0:0]
:IN_public - [0:0]
:IN_public_log - [0:0]
:IN_public_deny - [0:0]
:IN_public_allow - [0:0]
:FWDI_public - [0:0]
:FWDI_public_allow - [0:0]
:FWDO_public - [0:0]
:FWDO_public_allow - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -j INPUT_direct
-A INPUT -j INPUT_ZONES
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT
-A FORWARD -i lo -j ACCEPT
-A FORWARD -j FORWARD_direct
-A FORWARD -j FORWARD_IN_ZONES
-A FORWARD -j FORWARD_OUT_ZONES
-A FORWARD -m conntrack --ctstate INVALID -j DROP
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -j OUTPUT_direct
-A INPUT_ZONES -i eth0 -g IN_public
-A INPUT_ZONES -g IN_public
-A FORWARD_IN_ZONES -i eth0 -g FWDI_public
-A FORWARD_IN_ZONES -g FWDI_public
-A FORWARD_OUT_ZONES -o eth0 -g FWDO_public
-A FORWARD_OUT_ZONES -g FWDO_public
-A IN_public -j IN_public_log
-A IN_public -j IN_public_deny
-A IN_public -j IN_public_allow
-A IN_public -p icmp -j ACCEPT
-A FWDI_public -j FWDI_public_allow
-A FWDI_public -p icmp -j ACCEPT
-A FWDO_public -j FWDO_public_allow
COMMIT
R
iptables-legacy-restore -w < /tmp/fwd.rules
# firewall-cmd --add-service=ssh --add-service=dhcpv6-client --add-port=8443/tcp; a rich rule with a log
iptables-legacy -w10 -A IN_public_allow -p tcp --dport 22 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
iptables-legacy -w10 -A IN_public_allow -d 224.0.0.251/32 -p udp --dport 5353 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
iptables-legacy -w10 -A IN_public_allow -p tcp --dport 8443 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
iptables-legacy -w10 -A IN_public_log -s 192.0.2.0/24 -p tcp --dport 3389 -m conntrack --ctstate NEW,UNTRACKED -j LOG --log-prefix "rdp-try " --log-level warning
iptables-legacy -w10 -A IN_public_deny -s 192.0.2.0/24 -j REJECT --reject-with icmp-admin-prohibited
iptables-legacy -w10 -t mangle -A PRE_public_allow -p tcp --dport 8443 -j MARK --set-xmark 0x64/0xffffffff
iptables-legacy -w10 -t nat -A PRE_public_allow -p tcp --dport 2222 -j DNAT --to-destination :22
iptables-legacy -w10 -t nat -A POST_public_allow ! -o lo -j MASQUERADE
iptables-legacy -w10 -t nat -A PRE_public_allow -p tcp --dport 8080 -m mark --mark 0x64 -j REDIRECT --to-ports 8443
iptables-legacy -w10 -t raw -A PRE_public_allow -p udp --dport 69 -j CT --helper tftp
# changing the interface's zone: -R replaces the dispatch rule, a new zone's chains appear
iptables-legacy -w10 -N IN_work
iptables-legacy -w10 -N IN_work_allow
iptables-legacy -w10 -A IN_work -j IN_work_allow
iptables-legacy -w10 -A IN_work_allow -p tcp --dport 631 -j ACCEPT
iptables-legacy -w10 -R INPUT_ZONES 1 -i eth0 -g IN_work
iptables-legacy -w10 -L INPUT_ZONES -n -v
iptables-legacy -w10 -S INPUT_ZONES
iptables-legacy -w10 -E IN_work IN_internal
iptables-legacy -w10 -E IN_work_allow IN_public || true
iptables-legacy -w10 -E NOSUCH IN_x || true
iptables-legacy -w10 -S INPUT_ZONES
iptables-legacy -w10 -A IN_public_allow -p tcp --dport 22:21 -j ACCEPT || true
iptables-legacy -w10 -A IN_public_allow -p tcp --dport ssh:http -j ACCEPT
iptables-legacy -w10 -A IN_public_allow -p tcp --dport nosuchsvc -j ACCEPT || true
iptables-legacy -w10 -A IN_public_allow -p tcp -m conntrack --ctstate NEW,BOGUS -j ACCEPT || true
iptables-legacy -w10 -A IN_public_allow -m conntrack --ctstate NEW -g IN_nosuch || true
iptables-legacy -L IN_public_allow -n --line-numbers
iptables-legacy -t raw -L -n -v
iptables-legacy -t mangle -S
iptables-legacy-save -c
