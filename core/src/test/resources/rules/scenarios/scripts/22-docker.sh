# dockerd starting: chains in nat and filter, checked with -C before each -A as the daemon does
iptables-legacy --wait -t nat -N DOCKER
iptables-legacy --wait -t filter -N DOCKER
iptables-legacy --wait -t filter -N DOCKER-ISOLATION-STAGE-1
iptables-legacy --wait -t filter -N DOCKER-ISOLATION-STAGE-2
iptables-legacy --wait -t filter -N DOCKER-USER
iptables-legacy --wait -t nat -N DOCKER || true
iptables-legacy --wait -t nat -C PREROUTING -m addrtype --dst-type LOCAL -j DOCKER || true
iptables-legacy --wait -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
iptables-legacy --wait -t nat -C OUTPUT -m addrtype --dst-type LOCAL -j DOCKER ! --dst 127.0.0.0/8 || true
iptables-legacy --wait -t nat -A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER ! --dst 127.0.0.0/8
iptables-legacy --wait -t nat -C POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE || true
iptables-legacy --wait -t nat -I POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
iptables-legacy --wait -t nat -I DOCKER -i docker0 -j RETURN
iptables-legacy --wait -t filter -C FORWARD -j DOCKER-USER || true
iptables-legacy --wait -A FORWARD -j DOCKER-USER
iptables-legacy --wait -A DOCKER-USER -j RETURN
iptables-legacy --wait -I FORWARD -j DOCKER-ISOLATION-STAGE-1
iptables-legacy --wait -I FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables-legacy --wait -I FORWARD -o docker0 -j DOCKER
iptables-legacy --wait -I FORWARD -i docker0 ! -o docker0 -j ACCEPT
iptables-legacy --wait -I FORWARD -i docker0 -o docker0 -j ACCEPT
iptables-legacy --wait -t filter -I DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
iptables-legacy --wait -t filter -I DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
iptables-legacy --wait -A DOCKER-ISOLATION-STAGE-1 -j RETURN
iptables-legacy --wait -A DOCKER-ISOLATION-STAGE-2 -j RETURN
# a user-defined bridge network
iptables-legacy --wait -t nat -I POSTROUTING -s 172.18.0.0/16 ! -o br-5f1c2a9e3b7d -j MASQUERADE
iptables-legacy --wait -t nat -I DOCKER -i br-5f1c2a9e3b7d -j RETURN
iptables-legacy --wait -I FORWARD -i br-5f1c2a9e3b7d -o br-5f1c2a9e3b7d -j ACCEPT
iptables-legacy --wait -I FORWARD -i br-5f1c2a9e3b7d ! -o br-5f1c2a9e3b7d -j ACCEPT
iptables-legacy --wait -I FORWARD -o br-5f1c2a9e3b7d -j DOCKER
iptables-legacy --wait -I FORWARD -o br-5f1c2a9e3b7d -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables-legacy --wait -t filter -I DOCKER-ISOLATION-STAGE-1 -i br-5f1c2a9e3b7d ! -o br-5f1c2a9e3b7d -j DOCKER-ISOLATION-STAGE-2
iptables-legacy --wait -t filter -I DOCKER-ISOLATION-STAGE-2 -o br-5f1c2a9e3b7d -j DROP
# docker run -p 8080:80 -p 127.0.0.1:5432:5432 -p 53:53/udp
iptables-legacy --wait -t filter -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
iptables-legacy --wait -t nat -A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
iptables-legacy --wait -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
iptables-legacy --wait -t filter -A DOCKER -d 172.17.0.3/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 5432 -j ACCEPT
iptables-legacy --wait -t nat -A POSTROUTING -s 172.17.0.3/32 -d 172.17.0.3/32 -p tcp -m tcp --dport 5432 -j MASQUERADE
iptables-legacy --wait -t nat -A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 5432 -j DNAT --to-destination 172.17.0.3:5432
iptables-legacy --wait -t filter -A DOCKER -d 172.18.0.2/32 ! -i br-5f1c2a9e3b7d -o br-5f1c2a9e3b7d -p udp -m udp --dport 53 -j ACCEPT
iptables-legacy --wait -t nat -A POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32 -p udp -m udp --dport 53 -j MASQUERADE
iptables-legacy --wait -t nat -A DOCKER ! -i br-5f1c2a9e3b7d -p udp -m udp --dport 53 -j DNAT --to-destination 172.18.0.2:53
# an admin's DOCKER-USER rule
iptables-legacy -I DOCKER-USER -i eth0 ! -s 10.0.0.0/8 -m conntrack --ctstate NEW -j DROP
iptables-legacy -t nat -L -n -v
iptables-legacy -L FORWARD -n -v --line-numbers
iptables-legacy -L DOCKER -n
iptables-legacy -L DOCKER-ISOLATION-STAGE-1
iptables-legacy -t nat -S DOCKER
iptables-legacy -S FORWARD 3
# docker stop of the first container
iptables-legacy --wait -t filter -D DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
iptables-legacy --wait -t nat -D POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
iptables-legacy --wait -t nat -D DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
iptables-legacy --wait -t nat -D DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80 || true
iptables-legacy --wait -t filter -X DOCKER || true
iptables-legacy --wait -t nat -X DOCKER || true
iptables-legacy --wait -t filter -X DOCKER-ISOLATION-STAGE-2 || true
iptables-legacy --wait -t nat -A DOCKER -p tcp --dport 70000 -j DNAT --to-destination 172.17.0.9:80 || true
iptables-legacy --wait -t nat -A DOCKER -p tcp --dport 80 -j DNAT --to-destination 172.17.0.9:99999 || true
iptables-legacy --wait -t filter -A DOCKER -j DNAT --to-destination 172.17.0.9 || true
iptables-legacy-save -t nat
iptables-legacy-save -c -t filter
