# kube-proxy (iptables mode) ensuring its jump rules and base chains, as its iptables calls do
iptables-legacy -w 5 -W 100000 -N KUBE-EXTERNAL-SERVICES -t filter
iptables-legacy -w 5 -W 100000 -N KUBE-NODEPORTS -t filter
iptables-legacy -w 5 -W 100000 -N KUBE-SERVICES -t filter
iptables-legacy -w 5 -W 100000 -N KUBE-FORWARD -t filter
iptables-legacy -w 5 -W 100000 -N KUBE-PROXY-FIREWALL -t filter
iptables-legacy -w 5 -W 100000 -N KUBE-FIREWALL -t filter
iptables-legacy -w 5 -W 100000 -N KUBE-SERVICES -t nat
iptables-legacy -w 5 -W 100000 -N KUBE-POSTROUTING -t nat
iptables-legacy -w 5 -W 100000 -N KUBE-MARK-MASQ -t nat
iptables-legacy -w 5 -W 100000 -N KUBE-NODEPORTS -t nat
iptables-legacy -w 5 -W 100000 -N KUBE-KUBELET-CANARY -t mangle
iptables-legacy -w 5 -W 100000 -C INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL || true
iptables-legacy -w 5 -W 100000 -I INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
iptables-legacy -w 5 -W 100000 -I INPUT -t filter -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
iptables-legacy -w 5 -W 100000 -I INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
iptables-legacy -w 5 -W 100000 -I FORWARD -t filter -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
iptables-legacy -w 5 -W 100000 -I FORWARD -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables-legacy -w 5 -W 100000 -I OUTPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables-legacy -w 5 -W 100000 -I OUTPUT -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables-legacy -w 5 -W 100000 -I PREROUTING -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables-legacy -w 5 -W 100000 -I POSTROUTING -t nat -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
iptables-legacy -w 5 -W 100000 -I INPUT -t filter -j KUBE-FIREWALL
iptables-legacy -w 5 -W 100000 -I OUTPUT -t filter -j KUBE-FIREWALL
iptables-legacy -w 5 -W 100000 -A KUBE-FIREWALL -t filter -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
iptables-legacy -w 5 -W 100000 -A KUBE-FIREWALL -t filter -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP
# the sync: one restore of filter and nat with --noflush --counters, as syncProxyRules writes it
cat > /tmp/kube-sync-1 <<'R'
*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-SERVICES -m comment --comment "default/no-endpoints:http has no endpoints" -m tcp -p tcp -d 10.96.200.7/32 --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:KUBE-SERVICES - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
:KUBE-SEP-VPILYQBSPPXYB66K - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-6E7XQMQ4RAYOWTTM - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "default/kubernetes:https cluster IP" -m tcp -p tcp -d 10.96.0.1/32 --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10/32 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https cluster IP" -m tcp -p tcp -d 10.96.0.1/32 --dport 443 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https -> 192.168.49.2:8443" -j KUBE-SEP-VPILYQBSPPXYB66K
-A KUBE-SEP-VPILYQBSPPXYB66K -m comment --comment "default/kubernetes:https" -s 192.168.49.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-VPILYQBSPPXYB66K -m comment --comment "default/kubernetes:https" -m tcp -p tcp -j DNAT --to-destination 192.168.49.2:8443
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10/32 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.2:53" -j KUBE-SEP-6E7XQMQ4RAYOWTTM
-A KUBE-SEP-6E7XQMQ4RAYOWTTM -m comment --comment "kube-system/kube-dns:dns" -s 10.244.0.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-6E7XQMQ4RAYOWTTM -m comment --comment "kube-system/kube-dns:dns" -m udp -p udp -j DNAT --to-destination 10.244.0.2:53
COMMIT
R
iptables-legacy-restore -w 5 -W 100000 --noflush --counters < /tmp/kube-sync-1
iptables-legacy-save -t nat
# the next sync: an endpoint moved; the stale SEP chain is declared, flushed and deleted with -X
cat > /tmp/kube-sync-2 <<'R'
*nat
:KUBE-SERVICES - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-6E7XQMQ4RAYOWTTM - [0:0]
:KUBE-SEP-ZXMNUKOKXUTL2MK2 - [0:0]
-A KUBE-SERVICES -m comment --comment "default/kubernetes:https cluster IP" -m tcp -p tcp -d 10.96.0.1/32 --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10/32 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10/32 --dport 53 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.7:53" -j KUBE-SEP-ZXMNUKOKXUTL2MK2
-A KUBE-SEP-ZXMNUKOKXUTL2MK2 -m comment --comment "kube-system/kube-dns:dns" -s 10.244.0.7/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-ZXMNUKOKXUTL2MK2 -m comment --comment "kube-system/kube-dns:dns" -m udp -p udp -j DNAT --to-destination 10.244.0.7:53
-X KUBE-SEP-6E7XQMQ4RAYOWTTM
COMMIT
R
iptables-legacy-restore -w 5 -W 100000 --noflush --counters < /tmp/kube-sync-2
iptables-legacy -t nat -L KUBE-SERVICES -n
iptables-legacy -t nat -L KUBE-POSTROUTING -n -v
iptables-legacy -t nat -S KUBE-MARK-MASQ
iptables-legacy -L KUBE-FIREWALL -n --line-numbers
iptables-legacy -t nat -C KUBE-MARK-MASQ -j MARK --or-mark 0x4000
iptables-legacy -t nat -C KUBE-MARK-MASQ -j MARK --or-mark 0x8000 || true
iptables-legacy -t nat -X KUBE-MARK-MASQ || true
iptables-legacy -t mangle -L -n
iptables-legacy-save -c
