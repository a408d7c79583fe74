# kube-proxy services with several endpoints: statistic --mode random --probability in each SVC chain
iptables-legacy -t nat -N KUBE-SERVICES
iptables-legacy -t nat -N KUBE-MARK-MASQ
iptables-legacy -t nat -N KUBE-POSTROUTING
iptables-legacy -t nat -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables-legacy -t nat -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
cat > /tmp/kube-sync <<'R'
*nat
:KUBE-SERVICES - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-JD5MR3NA4I4DYORP - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
:KUBE-SEP-CCCCCCCCCCCCCCCC - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SEP-DDDDDDDDDDDDDDDD - [0:0]
:KUBE-SEP-EEEEEEEEEEEEEEEE - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "shop/web:http cluster IP" -m tcp -p tcp -d 10.96.14.3/32 --dport 80 -j KUBE-SVC-JD5MR3NA4I4DYORP
-A KUBE-SERVICES -m comment --comment "shop/api:grpc cluster IP" -m tcp -p tcp -d 10.96.30.9/32 --dport 9090 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SVC-JD5MR3NA4I4DYORP -m comment --comment "shop/web:http cluster IP" -m tcp -p tcp -d 10.96.14.3/32 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-JD5MR3NA4I4DYORP -m comment --comment "shop/web:http -> 10.244.1.4:8080" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-AAAAAAAAAAAAAAAA
-A KUBE-SVC-JD5MR3NA4I4DYORP -m comment --comment "shop/web:http -> 10.244.2.5:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-BBBBBBBBBBBBBBBB
-A KUBE-SVC-JD5MR3NA4I4DYORP -m comment --comment "shop/web:http -> 10.244.3.6:8080" -j KUBE-SEP-CCCCCCCCCCCCCCCC
-A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment "shop/web:http" -s 10.244.1.4/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment "shop/web:http" -m tcp -p tcp -j DNAT --to-destination 10.244.1.4:8080
-A KUBE-SEP-BBBBBBBBBBBBBBBB -m comment --comment "shop/web:http" -s 10.244.2.5/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-BBBBBBBBBBBBBBBB -m comment --comment "shop/web:http" -m tcp -p tcp -j DNAT --to-destination 10.244.2.5:8080
-A KUBE-SEP-CCCCCCCCCCCCCCCC -m comment --comment "shop/web:http" -s 10.244.3.6/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-CCCCCCCCCCCCCCCC -m comment --comment "shop/web:http" -m tcp -p tcp -j DNAT --to-destination 10.244.3.6:8080
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "shop/api:grpc -> 10.244.1.8:9090" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-DDDDDDDDDDDDDDDD
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "shop/api:grpc -> 10.244.2.9:9090" -j KUBE-SEP-EEEEEEEEEEEEEEEE
-A KUBE-SEP-DDDDDDDDDDDDDDDD -m comment --comment "shop/api:grpc" -s 10.244.1.8/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-DDDDDDDDDDDDDDDD -m comment --comment "shop/api:grpc" -m tcp -p tcp -j DNAT --to-destination 10.244.1.8:9090
-A KUBE-SEP-EEEEEEEEEEEEEEEE -m comment --comment "shop/api:grpc" -s 10.244.2.9/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-EEEEEEEEEEEEEEEE -m comment --comment "shop/api:grpc" -m tcp -p tcp -j DNAT --to-destination 10.244.2.9:9090
COMMIT
R
iptables-legacy-restore --noflush --counters < /tmp/kube-sync
iptables-legacy -t nat -L KUBE-SVC-JD5MR3NA4I4DYORP -n -v
iptables-legacy -t nat -S KUBE-SVC-ERIFXISQEP7F7OF4
iptables-legacy -t nat -A KUBE-SVC-ERIFXISQEP7F7OF4 -m statistic --mode nth --every 3 --packet 1 -j KUBE-SEP-DDDDDDDDDDDDDDDD
iptables-legacy -t nat -A KUBE-SVC-ERIFXISQEP7F7OF4 -m statistic --mode random --probability 1.5 -j RETURN || true
iptables-legacy -t nat -D KUBE-SVC-JD5MR3NA4I4DYORP 3
iptables-legacy -t nat -X KUBE-SEP-BBBBBBBBBBBBBBBB || true
iptables-legacy -t nat -F KUBE-SEP-BBBBBBBBBBBBBBBB
iptables-legacy -t nat -X KUBE-SEP-BBBBBBBBBBBBBBBB
iptables-legacy -t nat -X KUBE-SEP-CCCCCCCCCCCCCCCC || true
iptables-legacy-save -c -t nat
