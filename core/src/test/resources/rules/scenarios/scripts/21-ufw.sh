# ufw enable: its chains declared and filled through iptables-restore -n, as ufw does
cat > /tmp/ufw-before.rules <<'R'
*filter
:ufw-before-input - [0:0]
:ufw-before-output - [0:0]
:ufw-before-forward - [0:0]
:ufw-not-local - [0:0]
:ufw-after-input - [0:0]
:ufw-after-output - [0:0]
:ufw-after-forward - [0:0]
:ufw-after-logging-input - [0:0]
:ufw-after-logging-output - [0:0]
:ufw-after-logging-forward - [0:0]
:ufw-reject-input - [0:0]
:ufw-reject-output - [0:0]
:ufw-reject-forward - [0:0]
:ufw-track-input - [0:0]
:ufw-track-output - [0:0]
:ufw-track-forward - [0:0]
:ufw-logging-deny - [0:0]
:ufw-logging-allow - [0:0]
:ufw-skip-to-policy-input - [0:0]
:ufw-skip-to-policy-output - [0:0]
:ufw-skip-to-policy-forward - [0:0]
:ufw-user-input - [0:0]
:ufw-user-output - [0:0]
:ufw-user-forward - [0:0]
:ufw-user-logging-input - [0:0]
:ufw-user-logging-output - [0:0]
:ufw-user-logging-forward - [0:0]
:ufw-user-limit - [0:0]
:ufw-user-limit-accept - [0:0]
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-output -o lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-output -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny
-A ufw-before-input -m conntrack --ctstate INVALID -j DROP
-A ufw-before-input -p icmp --icmp-type destination-unreachable -j ACCEPT
-A ufw-before-input -p icmp --icmp-type time-exceeded -j ACCEPT
-A ufw-before-input -p icmp --icmp-type parameter-problem -j ACCEPT
-A ufw-before-input -p icmp --icmp-type echo-request -j ACCEPT
-A ufw-before-forward -p icmp --icmp-type destination-unreachable -j ACCEPT
-A ufw-before-forward -p icmp --icmp-type echo-request -j ACCEPT
-A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT
-A ufw-before-input -j ufw-not-local
-A ufw-not-local -m addrtype --dst-type LOCAL -j RETURN
-A ufw-not-local -m addrtype --dst-type MULTICAST -j RETURN
-A ufw-not-local -m addrtype --dst-type BROADCAST -j RETURN
-A ufw-not-local -m limit --limit 3/min --limit-burst 10 -j ufw-logging-deny
-A ufw-not-local -j DROP
-A ufw-before-input -p udp -d 224.0.0.251 --dport 5353 -j ACCEPT
-A ufw-before-input -p udp -d 239.255.255.250 --dport 1900 -j ACCEPT
-A ufw-after-input -p udp --dport 137 -j ufw-skip-to-policy-input
-A ufw-after-input -p udp --dport 138 -j ufw-skip-to-policy-input
-A ufw-after-input -p tcp --dport 139 -j ufw-skip-to-policy-input
-A ufw-after-input -p tcp --dport 445 -j ufw-skip-to-policy-input
-A ufw-after-input -p udp --dport 67 -j ufw-skip-to-policy-input
-A ufw-after-input -p udp --dport 68 -j ufw-skip-to-policy-input
-A ufw-after-input -m addrtype --dst-type BROADCAST -j ufw-skip-to-policy-input
-A ufw-after-logging-input -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
-A ufw-after-logging-forward -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
-A ufw-logging-deny -m conntrack --ctstate INVALID -m limit --limit 3/min --limit-burst 10 -j RETURN
-A ufw-logging-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
-A ufw-logging-allow -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW ALLOW] "
-A ufw-skip-to-policy-input -j DROP
-A ufw-skip-to-policy-output -j ACCEPT
-A ufw-skip-to-policy-forward -j DROP
-A ufw-track-output -p tcp -m conntrack --ctstate NEW -j ACCEPT
-A ufw-track-output -p udp -m conntrack --ctstate NEW -j ACCEPT
-A ufw-before-input -j ufw-user-input
-A ufw-before-output -j ufw-user-output
-A ufw-before-forward -j ufw-user-forward
-A ufw-user-limit -m limit --limit 3/minute -j LOG --log-prefix "[UFW LIMIT BLOCK] "
-A ufw-user-limit -j REJECT
-A ufw-user-limit-accept -j ACCEPT
COMMIT
R
iptables-legacy-restore -n < /tmp/ufw-before.rules
iptables-legacy -P INPUT DROP
iptables-legacy -P FORWARD DROP
iptables-legacy -A INPUT -j ufw-before-input
iptables-legacy -A INPUT -j ufw-after-input
iptables-legacy -A INPUT -j ufw-after-logging-input
iptables-legacy -A INPUT -j ufw-reject-input
iptables-legacy -A INPUT -j ufw-track-input
iptables-legacy -A OUTPUT -j ufw-before-output
iptables-legacy -A OUTPUT -j ufw-after-output
iptables-legacy -A OUTPUT -j ufw-after-logging-output
iptables-legacy -A OUTPUT -j ufw-reject-output
iptables-legacy -A OUTPUT -j ufw-track-output
iptables-legacy -A FORWARD -j ufw-before-forward
iptables-legacy -A FORWARD -j ufw-after-forward
iptables-legacy -A FORWARD -j ufw-after-logging-forward
iptables-legacy -A FORWARD -j ufw-reject-forward
iptables-legacy -A FORWARD -j ufw-track-forward
# ufw limit 22/tcp; ufw allow 80,443/tcp; ufw allow from 192.168.1.0/24 to any port 3306 proto tcp comment 'db'
iptables-legacy -A ufw-user-input -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set
iptables-legacy -A ufw-user-input -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 30 --hitcount 6 -j ufw-user-limit
iptables-legacy -A ufw-user-input -p tcp --dport 22 -j ufw-user-limit-accept
iptables-legacy -A ufw-user-input -p tcp -m multiport --dports 80,443 -m comment --comment "'dapp_Nginx%20Full'" -j ACCEPT
iptables-legacy -A ufw-user-input -p tcp -s 192.168.1.0/24 --dport 3306 -m comment --comment "db" -j ACCEPT
iptables-legacy -A ufw-user-input -p udp --dport 51820 -j ACCEPT
iptables-legacy -I ufw-user-input 1 -s 203.0.113.66 -j DROP
iptables-legacy -A ufw-user-logging-input -j RETURN
# ufw delete allow 51820/udp; ufw insert 2 deny from 198.51.100.0/24
iptables-legacy -D ufw-user-input -p udp --dport 51820 -j ACCEPT
iptables-legacy -I ufw-user-input 2 -s 198.51.100.0/24 -j DROP
iptables-legacy -C ufw-user-input -p tcp --dport 22 -j ufw-user-limit-accept
iptables-legacy -C ufw-user-input -p tcp --dport 23 -j ufw-user-limit-accept || true
iptables-legacy -L ufw-user-input -n -v --line-numbers
iptables-legacy -L ufw-before-input -n
iptables-legacy -L ufw-not-local
iptables-legacy -S ufw-user-input
iptables-legacy -S ufw-logging-deny
# ufw reload: flush the user chains and re-add through restore -n
printf '*filter\n:ufw-user-input - [0:0]\n:ufw-user-limit - [0:0]\n-A ufw-user-input -p tcp --dport 22 -j ACCEPT\n-A ufw-user-limit -j REJECT\nCOMMIT\n' | iptables-legacy-restore -n
iptables-legacy-save
iptables-legacy -X ufw-user-input || true
iptables-legacy -F ufw-user-logging-forward
iptables-legacy -X ufw-user-logging-forward
iptables-legacy -Z ufw-user-input
iptables-legacy -L INPUT -n -v -x --line-numbers
