# a few hundred generated rules restored with counters, then edited and listed
cat > /tmp/lots.rules <<'R'
*filter
:INPUT DROP [1000:64000]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [2000:128000]
:svc-00 - [0:0]
:svc-01 - [0:0]
:svc-02 - [0:0]
:svc-03 - [0:0]
:svc-04 - [0:0]
:svc-05 - [0:0]
:svc-06 - [0:0]
:svc-07 - [0:0]
:svc-08 - [0:0]
:svc-09 - [0:0]
:svc-10 - [0:0]
:svc-11 - [0:0]
:svc-12 - [0:0]
:svc-13 - [0:0]
:svc-14 - [0:0]
:svc-15 - [0:0]
:svc-16 - [0:0]
:svc-17 - [0:0]
:svc-18 - [0:0]
:svc-19 - [0:0]
:svc-20 - [0:0]
:svc-21 - [0:0]
:svc-22 - [0:0]
:svc-23 - [0:0]
[3208:1196584] -A svc-00 -i bond0.100 -p tcp -m tcp --dport 50048 -j ACCEPT
[1060:425060] -A svc-00 -p tcp -m tcp --dport 4558 -m comment --comment "rule svc-00/1" -j svc-11
[1076:483124] -A svc-00 -m mark --mark 0x9cc6/0xffff -m comment --comment "rule svc-00/2" -j RETURN
[1014:1236066] -A svc-00 -p tcp -m tcp --dport 5155 -j svc-09
[1433:732263] -A svc-00 -i bond0.100 -p tcp -m multiport --dports 2614,4219,6122,6186,6328 -j RETURN
[3265:839105] -A svc-00 -s 10.97.215.0/24 -i veth+ -p tcp -m tcp --dport 23516 -j LOG --log-prefix "svc-00 5: "
[3813:2447946] -A svc-00 ! -d 192.168.255.134 -i bond0.100 -m conntrack --ctstate NEW,UNTRACKED -m comment --comment "rule svc-00/6" -j DROP
[4130:194110] -A svc-01 -s 10.17.7.0/28 -p tcp -m tcp --dport 28827 -m comment --comment "rule svc-01/0" -j REJECT --reject-with icmp-net-unreachable
[4184:5363888] -A svc-01 -s 10.184.43.0/16 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "rule svc-01/1" -j RETURN
[3284:2820956] -A svc-01 -s 10.99.87.0/24 -m conntrack --ctstate NEW,UNTRACKED -j svc-14
[2382:2005644] -A svc-01 -s 10.175.191.0/24 -p tcp -m tcp --dport 51171 -m comment --comment "rule svc-01/3" -j LOG --log-prefix "svc-01 3: "
[1663:139692] -A svc-01 ! -d 192.168.46.103 -i eth0 -m conntrack --ctstate RELATED,ESTABLISHED -j REJECT --reject-with icmp-net-unreachable
[297:46926] -A svc-01 -i eth0 -p tcp -m tcp --dport 15848 -m comment --comment "rule svc-01/5" -j REJECT --reject-with icmp-host-prohibited
[4716:2046744] -A svc-01 -s 10.175.167.0/28 -p udp -m udp --sport 52684:53080 -j DROP
[4066:4460402] -A svc-01 -s 10.59.61.0/32 ! -d 192.168.103.146 -i veth+ -p tcp -m tcp --dport 44732 -j RETURN
[2340:1418040] -A svc-01 -s 10.183.198.0/32 -i bond0.100 -p tcp -m tcp --dport 33430 -m comment --comment "rule svc-01/8" -j ACCEPT
[1357:978397] -A svc-01 -s 10.76.219.0/32 ! -d 192.168.167.224 -m limit --limit 29/hour -j DROP
[2059:2864069] -A svc-01 -s 10.253.1.0/28 -i veth+ -m mark --mark 0x87b0/0xffff -m comment --comment "rule svc-01/10" -j ACCEPT
[519:501873] -A svc-01 -m limit --limit 16/min -m comment --comment "rule svc-01/11" -j ACCEPT
[4449:5587944] -A svc-01 -s 10.123.233.0/16 -p udp -m udp --sport 6053:6313 -j svc-14
[1838:297756] -A svc-02 -s 10.208.224.0/16 -p tcp -m tcp --dport 10934 -m comment --comment "rule svc-02/0" -j DROP
[3489:2445789] -A svc-02 -i bond0.100 -p udp -m udp --sport 57459:57950 -j LOG --log-prefix "svc-02 1: "
[2273:3152651] -A svc-02 ! -d 192.168.151.96 -m limit --limit 2/min -j ACCEPT
[1716:1218360] -A svc-02 -s 10.122.155.0/28 -p tcp -m tcp --dport 16270 -m comment --comment "rule svc-02/3" -j ACCEPT
[4263:2442699] -A svc-02 -s 10.59.115.0/24 ! -d 192.168.19.224 -p tcp -m multiport --dports 942,4762 -m comment --comment "rule svc-02/4" -j RETURN
[654:483306] -A svc-02 -i veth+ -m conntrack --ctstate NEW,UNTRACKED -m comment --comment "rule svc-02/5" -j LOG --log-prefix "svc-02 5: "
[3156:3749328] -A svc-02 -s 10.54.32.0/16 -p udp -m udp --sport 55664:55665 -j ACCEPT
[2621:3003666] -A svc-02 -p udp -m udp --sport 20626:20995 -j ACCEPT
[4513:4928196] -A svc-02 -p tcp -m tcp --dport 56272 -m comment --comment "rule svc-02/8" -j REJECT --reject-with icmp-port-unreachable
[3604:2926448] -A svc-02 -m mark --mark 0x8fd8/0xffff -m comment --comment "rule svc-02/9" -j svc-23
[1030:832240] -A svc-03 -i eth0 -m mark --mark 0x60c9/0xffff -j ACCEPT
[1248:1643616] -A svc-03 -p udp -m udp --sport 7965:8394 -m comment --comment "rule svc-03/1" -j ACCEPT
[3471:5175261] -A svc-03 -p udp -m udp --sport 44882:45216 -m comment --comment "rule svc-03/2" -j DROP
[1235:81510] -A svc-03 -i veth+ -m limit --limit 19/hour -j ACCEPT
[1084:1341992] -A svc-03 -s 10.168.139.0/24 -i eth0 -p tcp -m tcp --dport 53131 -m comment --comment "rule svc-03/4" -j DROP
[897:901485] -A svc-03 -s 10.178.165.0/24 -p tcp -m tcp --dport 13317 -j DROP
[4293:562383] -A svc-03 -s 10.169.63.0/24 -m limit --limit 12/sec -m comment --comment "rule svc-03/6" -j svc-04
[1282:1575578] -A svc-03 -i eth0 -p udp -m udp --sport 7621:8073 -j DROP
[4447:6061261] -A svc-03 -s 10.3.36.0/24 -p tcp -m multiport --dports 989,2048,9353 -j DROP
[2339:1691097] -A svc-03 -p udp -m udp --sport 22971:23400 -j DROP
[1847:1427731] -A svc-03 -s 10.27.151.0/24 -i eth1 -p udp -m udp --sport 12906:13360 -j ACCEPT
[4007:3738531] -A svc-03 ! -d 192.168.155.76 -p tcp -m tcp --dport 57777 -j ACCEPT
[482:341738] -A svc-04 -s 10.190.33.0/16 ! -d 192.168.163.15 -i veth+ -p udp -m udp --sport 33217:33583 -m comment --comment "rule svc-04/0" -j svc-05
[4956:6046320] -A svc-04 -s 10.248.105.0/16 ! -d 192.168.159.30 -p udp -m udp --sport 55029:55115 -j RETURN
[1082:205580] -A svc-04 ! -d 192.168.226.114 -p tcp -m tcp --dport 28782 -j svc-23
[3916:1958000] -A svc-04 -p udp -m udp --sport 28769:29081 -j REJECT --reject-with icmp-net-unreachable
[1682:1054614] -A svc-04 -s 10.73.176.0/16 -i bond0.100 -m mark --mark 0xe0d7/0xffff -j ACCEPT
[912:745104] -A svc-04 -m mark --mark 0x387e/0xffff -m comment --comment "rule svc-04/5" -j ACCEPT
[2098:2626696] -A svc-05 -s 10.203.232.0/32 ! -d 192.168.51.89 -p udp -m udp --sport 51525:51877 -j DROP
[2740:2446820] -A svc-05 -i bond0.100 -p tcp -m multiport --dports 204,4795,5507 -j ACCEPT
[4290:2067780] -A svc-05 -s 10.89.167.0/16 -i bond0.100 -m conntrack --ctstate RELATED,ESTABLISHED -j DROP
[4486:4939086] -A svc-05 -s 10.251.97.0/32 -m mark --mark 0x759a/0xffff -j ACCEPT
[1448:1064280] -A svc-05 -i bond0.100 -p udp -m udp --sport 17852:18191 -j LOG --log-prefix "svc-05 4: "
[3826:187474] -A svc-05 -p tcp -m tcp --dport 50999 -j ACCEPT
[402:396372] -A svc-05 -m limit --limit 23/min -j ACCEPT
[286:298012] -A svc-05 -p tcp -m tcp --dport 9898 -m comment --comment "rule svc-05/7" -j RETURN
[4492:1338616] -A svc-05 -p udp -m udp --sport 12065:12389 -j REJECT --reject-with icmp-host-prohibited
[52:12532] -A svc-05 -p tcp -m tcp --dport 59108 -j REJECT --reject-with icmp-net-unreachable
[1345:450575] -A svc-05 -p udp -m udp --sport 17059:17319 -j ACCEPT
[1661:1468324] -A svc-06 ! -d 192.168.173.36 -i eth1 -p udp -m udp --sport 39452:39748 -m comment --comment "rule svc-06/0" -j DROP
[1536:936960] -A svc-06 -s 10.76.70.0/32 -i eth0 -p tcp -m tcp --dport 1852 -m comment --comment "rule svc-06/1" -j svc-07
[1700:2446300] -A svc-06 -p udp -m udp --sport 48078:48558 -j REJECT --reject-with icmp-host-prohibited
[1:1054] -A svc-06 -i eth0 -p udp -m udp --sport 18327:18564 -m comment --comment "rule svc-06/3" -j ACCEPT
[417:582132] -A svc-06 -s 10.31.162.0/32 -p udp -m udp --sport 30506:30601 -j ACCEPT
[2294:1972840] -A svc-06 -p tcp -m tcp --dport 3533 -j LOG --log-prefix "svc-06 5: "
[4520:3331240] -A svc-07 -s 10.116.224.0/32 ! -d 192.168.251.236 -i eth1 -p tcp -m tcp --dport 29036 -j RETURN
[2505:1801095] -A svc-07 -i eth1 -m mark --mark 0xb1dd/0xffff -j DROP
[2299:2211638] -A svc-07 -s 10.166.229.0/16 ! -d 192.168.179.228 -i veth+ -m mark --mark 0xe817/0xffff -j RETURN
[3567:2004654] -A svc-07 -s 10.119.57.0/24 -p tcp -m tcp --dport 17457 -m comment --comment "rule svc-07/3" -j REJECT --reject-with icmp-host-prohibited
[2219:2194591] -A svc-07 -s 10.213.167.0/16 -p udp -m udp --sport 35428:35835 -j RETURN
[1704:1312080] -A svc-07 -s 10.170.164.0/16 -m conntrack --ctstate NEW,UNTRACKED -j DROP
[4950:5796450] -A svc-07 ! -d 192.168.182.122 -m limit --limit 76/sec -j DROP
[2023:1646722] -A svc-07 -s 10.240.41.0/28 -m mark --mark 0x17eb/0xffff -m comment --comment "rule svc-07/7" -j RETURN
[3321:730620] -A svc-07 ! -d 192.168.222.239 -m limit --limit 56/sec -m comment --comment "rule svc-07/8" -j LOG --log-prefix "svc-07 8: "
[1610:1479590] -A svc-07 -s 10.45.136.0/24 -m limit --limit 87/sec -j ACCEPT
[2851:789727] -A svc-07 -s 10.170.116.0/32 -p tcp -m tcp --dport 10272 -m comment --comment "rule svc-07/10" -j ACCEPT
[4486:5369742] -A svc-08 -s 10.110.101.0/28 -i eth1 -m mark --mark 0xa726/0xffff -j ACCEPT
[533:45838] -A svc-08 -s 10.174.152.0/16 -p udp -m udp --sport 36481:36814 -j REJECT --reject-with icmp-host-prohibited
[985:560465] -A svc-08 -p tcp -m tcp --dport 24674 -m comment --comment "rule svc-08/2" -j REJECT --reject-with icmp-host-prohibited
[4966:5065320] -A svc-08 -m limit --limit 57/min -m comment --comment "rule svc-08/3" -j svc-14
[1798:1859132] -A svc-08 -s 10.108.68.0/32 -p tcp -m tcp --dport 33920 -j LOG --log-prefix "svc-08 4: "
[4392:5147424] -A svc-08 -m limit --limit 90/min -m comment --comment "rule svc-08/5" -j svc-15
[3289:3223220] -A svc-08 -p tcp -m tcp --dport 43224 -j DROP
[4505:2883200] -A svc-08 ! -d 192.168.245.87 -p tcp -m multiport --dports 5323,5836,9570,9813 -j svc-22
[3503:1499284] -A svc-08 -s 10.164.145.0/32 -p tcp -m tcp --dport 3626 -j ACCEPT
[2336:2838240] -A svc-08 -s 10.27.152.0/28 -p udp -m udp --sport 31233:31554 -j LOG --log-prefix "svc-08 9: "
[4486:1946924] -A svc-08 -m limit --limit 87/min -j RETURN
[583:434335] -A svc-09 ! -d 192.168.123.183 -p tcp -m multiport --dports 4108,7163,9750 -j ACCEPT
[204:180540] -A svc-09 -i veth+ -p tcp -m tcp --dport 59955 -j REJECT --reject-with icmp-net-unreachable
[2984:3765808] -A svc-09 -s 10.9.32.0/24 -p tcp -m tcp --dport 21012 -j ACCEPT
[3634:2373002] -A svc-09 -s 10.38.230.0/32 ! -d 192.168.89.178 -m limit --limit 48/sec -j DROP
[1248:421824] -A svc-09 -s 10.84.216.0/32 ! -d 192.168.6.203 -p udp -m udp --sport 50461:50883 -j ACCEPT
[4971:3892293] -A svc-09 -s 10.100.56.0/16 -p tcp -m tcp --dport 12114 -m comment --comment "rule svc-09/5" -j ACCEPT
[2217:421230] -A svc-09 -s 10.252.70.0/28 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
[1238:1540072] -A svc-09 -s 10.62.73.0/24 -p tcp -m tcp --dport 21137 -j DROP
[2155:1116290] -A svc-09 -p tcp -m tcp --dport 8202 -j REJECT --reject-with icmp-port-unreachable
[1731:1102647] -A svc-09 -s 10.183.106.0/16 ! -d 192.168.48.169 -p tcp -m tcp --dport 59060 -j REJECT --reject-with icmp-port-unreachable
[4050:4066200] -A svc-09 -p udp -m udp --sport 19738:19862 -j DROP
[3067:1766592] -A svc-10 -p tcp -m tcp --dport 7064 -j LOG --log-prefix "svc-10 0: "
[4343:1159581] -A svc-10 -p tcp -m tcp --dport 47322 -j LOG --log-prefix "svc-10 1: "
[226:228260] -A svc-10 -p tcp -m tcp --dport 44019 -m comment --comment "rule svc-10/2" -j LOG --log-prefix "svc-10 2: "
[1634:1985310] -A svc-10 -m limit --limit 73/hour -j ACCEPT
[1138:83074] -A svc-10 ! -d 192.168.133.66 -p tcp -m tcp --dport 35100 -j DROP
[1423:1764520] -A svc-10 -s 10.244.31.0/28 -p tcp -m tcp --dport 36896 -m comment --comment "rule svc-10/5" -j LOG --log-prefix "svc-10 5: "
[899:656270] -A svc-10 -i eth1 -p udp -m udp --sport 59925:60317 -j svc-20
[4354:1576148] -A svc-10 -s 10.176.253.0/28 -m limit --limit 46/min -j ACCEPT
[317:251381] -A svc-10 -s 10.243.22.0/16 -p tcp -m tcp --dport 43143 -j DROP
[1218:896448] -A svc-10 -s 10.9.217.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -j DROP
[905:1168355] -A svc-11 -i veth+ -m mark --mark 0x6125/0xffff -j ACCEPT
[2038:301624] -A svc-11 -s 10.31.37.0/24 -m conntrack --ctstate NEW -m comment --comment "rule svc-11/1" -j ACCEPT
[1339:1764802] -A svc-11 -s 10.178.114.0/16 ! -d 192.168.251.144 -p tcp -m tcp --dport 32121 -j LOG --log-prefix "svc-11 2: "
[4310:6296910] -A svc-11 -s 10.240.73.0/32 -i eth0 -p udp -m udp --sport 50622:50852 -j DROP
[2086:734272] -A svc-11 -p tcp -m multiport --dports 1757,4192,4499,7409,9498 -j DROP
[2305:1479810] -A svc-11 -s 10.182.125.0/28 -p udp -m udp --sport 27842:28298 -j RETURN
[2145:416130] -A svc-11 ! -d 192.168.132.152 -m mark --mark 0xa819/0xffff -j LOG --log-prefix "svc-11 6: "
[3497:2769624] -A svc-11 -s 10.2.149.0/32 -p tcp -m tcp --dport 38965 -m comment --comment "rule svc-11/7" -j RETURN
[3996:295704] -A svc-11 -m mark --mark 0xb5b5/0xffff -j LOG --log-prefix "svc-11 8: "
[746:819854] -A svc-11 -p tcp -m tcp --dport 61396 -j DROP
[4562:6751760] -A svc-12 -i eth1 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "rule svc-12/0" -j ACCEPT
[2176:2280448] -A svc-12 -s 10.194.4.0/28 ! -d 192.168.113.221 -m mark --mark 0x44a5/0xffff -m comment --comment "rule svc-12/1" -j ACCEPT
[4367:2087426] -A svc-12 -p tcp -m multiport --dports 5843,8331 -m comment --comment "rule svc-12/2" -j ACCEPT
[3716:1285736] -A svc-12 -p tcp -m tcp --dport 16106 -j ACCEPT
[516:90300] -A svc-12 -p udp -m udp --sport 2851:3240 -j DROP
[1102:439698] -A svc-12 -s 10.95.43.0/24 ! -d 192.168.63.187 -i veth+ -p tcp -m tcp --dport 55557 -m comment --comment "rule svc-12/5" -j DROP
[4638:6599874] -A svc-12 -s 10.125.134.0/24 -p tcp -m tcp --dport 17395 -j ACCEPT
[247:278122] -A svc-12 -m mark --mark 0xed0f/0xffff -j RETURN
[1865:2689330] -A svc-13 -s 10.47.101.0/16 -p tcp -m multiport --dports 1156,3303,4395,5089,9165 -m comment --comment "rule svc-13/0" -j ACCEPT
[2511:1393605] -A svc-13 -i eth1 -p tcp -m tcp --dport 40616 -m comment --comment "rule svc-13/1" -j svc-14
[4818:1291224] -A svc-13 ! -d 192.168.71.254 -p tcp -m tcp --dport 48787 -m comment --comment "rule svc-13/2" -j ACCEPT
[817:266342] -A svc-13 -p udp -m udp --sport 6785:6817 -m comment --comment "rule svc-13/3" -j ACCEPT
[3740:2143020] -A svc-13 -i eth1 -p tcp -m tcp --dport 41864 -j svc-14
[717:172080] -A svc-13 -s 10.117.141.0/24 -i veth+ -m conntrack --ctstate INVALID -j ACCEPT
[4956:3221400] -A svc-13 ! -d 192.168.27.209 -i bond0.100 -p tcp -m tcp --dport 26057 -j DROP
[3178:3143042] -A svc-13 ! -d 192.168.132.86 -i veth+ -p udp -m udp --sport 53727:54131 -j ACCEPT
[4442:4717404] -A svc-13 -s 10.46.191.0/16 ! -d 192.168.112.249 -p tcp -m tcp --dport 54802 -j ACCEPT
[4821:4223196] -A svc-13 -m limit --limit 11/hour -j RETURN
[1904:1494640] -A svc-13 -i bond0.100 -m conntrack --ctstate INVALID -m comment --comment "rule svc-13/10" -j ACCEPT
[3313:2438368] -A svc-14 -p tcp -m multiport --dports 477,986,2636,3946,6634 -m comment --comment "rule svc-14/0" -j LOG --log-prefix "svc-14 0: "
[3121:2300177] -A svc-14 -s 10.117.249.0/24 -p udp -m udp --sport 14147:14250 -j DROP
[4014:4335120] -A svc-14 -p tcp -m multiport --dports 960,3596,6445,8214,8599 -j svc-22
[2086:1272460] -A svc-14 -s 10.202.74.0/16 -p tcp -m tcp --dport 46515 -j ACCEPT
[1263:1395615] -A svc-14 -s 10.97.204.0/24 ! -d 192.168.89.154 -i eth1 -m conntrack --ctstate NEW,UNTRACKED -m comment --comment "rule svc-14/4" -j ACCEPT
[1369:1096569] -A svc-14 ! -d 192.168.108.133 -p tcp -m tcp --dport 53773 -j RETURN
[4099:1951124] -A svc-14 -p tcp -m tcp --dport 47458 -j ACCEPT
[443:80626] -A svc-14 -i eth0 -p tcp -m multiport --dports 1209,7979,8046 -j ACCEPT
[239:338902] -A svc-14 -s 10.24.186.0/28 -p tcp -m tcp --dport 47148 -j REJECT --reject-with icmp-net-unreachable
[3535:3662260] -A svc-14 -i eth1 -p udp -m udp --sport 30013:30170 -j svc-19
[3553:1730311] -A svc-14 -p tcp -m tcp --dport 52030 -j LOG --log-prefix "svc-14 10: "
[2914:2978108] -A svc-14 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
[1880:562120] -A svc-14 -i eth1 -p tcp -m multiport --dports 1265,8045,8343,9377 -j svc-17
[3681:1479762] -A svc-15 -m conntrack --ctstate NEW,UNTRACKED -m comment --comment "rule svc-15/0" -j DROP
[174:161124] -A svc-15 -s 10.39.162.0/24 -i veth+ -p tcp -m tcp --dport 22963 -m comment --comment "rule svc-15/1" -j svc-19
[4264:5752136] -A svc-15 -p tcp -m multiport --dports 3312,7596,7993,8454 -j DROP
[4339:2191195] -A svc-15 -s 10.64.209.0/16 -p udp -m udp --sport 13373:13772 -j REJECT --reject-with icmp-port-unreachable
[1617:1424577] -A svc-15 -p tcp -m tcp --dport 27813 -j svc-21
[745:110260] -A svc-15 -p tcp -m tcp --dport 18755 -m comment --comment "rule svc-15/5" -j LOG --log-prefix "svc-15 5: "
[2980:995320] -A svc-15 -s 10.11.14.0/32 -i bond0.100 -p tcp -m tcp --dport 2496 -m comment --comment "rule svc-15/6" -j DROP
[3063:1473303] -A svc-15 -i eth1 -p udp -m udp --sport 17064:17139 -j ACCEPT
[3909:5437419] -A svc-15 ! -d 192.168.99.171 -i veth+ -p tcp -m tcp --dport 21710 -j LOG --log-prefix "svc-15 8: "
[2877:3351705] -A svc-15 -p tcp -m tcp --dport 25155 -j RETURN
[4839:4655118] -A svc-15 -s 10.67.213.0/16 -i veth+ -p tcp -m tcp --dport 49523 -j DROP
[2665:1161940] -A svc-15 -s 10.250.179.0/28 -m mark --mark 0x8fa5/0xffff -j DROP
[212:82680] -A svc-15 -s 10.127.77.0/16 -p udp -m udp --sport 53691:53863 -j svc-20
[2303:1280468] -A svc-16 -p tcp -m tcp --dport 2555 -j REJECT --reject-with icmp-host-prohibited
[1477:1214094] -A svc-16 -s 10.143.102.0/28 -i veth+ -m conntrack --ctstate NEW -j ACCEPT
[2413:569468] -A svc-16 -s 10.162.5.0/32 -p tcp -m tcp --dport 10220 -j ACCEPT
[936:371592] -A svc-16 -p tcp -m tcp --dport 39900 -m comment --comment "rule svc-16/3" -j REJECT --reject-with icmp-port-unreachable
[1714:2358464] -A svc-16 -s 10.157.8.0/24 -p tcp -m tcp --dport 65414 -m comment --comment "rule svc-16/4" -j ACCEPT
[3044:852320] -A svc-16 -i eth0 -p tcp -m tcp --dport 28233 -j RETURN
[192:44544] -A svc-16 ! -d 192.168.119.201 -p tcp -m multiport --dports 2948,7617 -j ACCEPT
[1895:898230] -A svc-16 ! -d 192.168.215.80 -i veth+ -p tcp -m tcp --dport 34914 -m comment --comment "rule svc-16/7" -j DROP
[3903:1319214] -A svc-16 -s 10.234.132.0/28 -p tcp -m tcp --dport 15037 -j LOG --log-prefix "svc-16 8: "
[1130:1553750] -A svc-16 -s 10.83.21.0/16 -m mark --mark 0x81f9/0xffff -j DROP
[21:9114] -A svc-16 ! -d 192.168.198.237 -p tcp -m tcp --dport 27864 -j RETURN
[1381:2043880] -A svc-17 ! -d 192.168.241.46 -i bond0.100 -p tcp -m tcp --dport 52434 -j ACCEPT
[1231:1221152] -A svc-17 -s 10.170.187.0/28 ! -d 192.168.5.44 -m mark --mark 0xc4e5/0xffff -m comment --comment "rule svc-17/1" -j REJECT --reject-with icmp-net-unreachable
[4072:1905696] -A svc-17 -s 10.35.1.0/16 ! -d 192.168.167.156 -p udp -m udp --sport 24333:24382 -m comment --comment "rule svc-17/2" -j REJECT --reject-with icmp-host-prohibited
[3546:4184280] -A svc-17 -p tcp -m tcp --dport 30781 -m comment --comment "rule svc-17/3" -j LOG --log-prefix "svc-17 3: "
[912:1303248] -A svc-17 -s 10.102.188.0/32 -p udp -m udp --sport 51127:51245 -j svc-23
[452:37516] -A svc-17 -p tcp -m tcp --dport 58929 -j ACCEPT
[4979:7030348] -A svc-17 ! -d 192.168.151.19 -m mark --mark 0xf683/0xffff -j DROP
[1739:413882] -A svc-17 -s 10.221.188.0/32 ! -d 192.168.100.185 -i eth1 -p udp -m udp --sport 17654:18072 -m comment --comment "rule svc-17/7" -j svc-18
[1979:399758] -A svc-18 -s 10.95.179.0/32 -p tcp -m tcp --dport 58218 -j LOG --log-prefix "svc-18 0: "
[4468:1411888] -A svc-18 ! -d 192.168.192.223 -i bond0.100 -p tcp -m tcp --dport 34938 -j ACCEPT
[0:0] -A svc-18 -s 10.91.226.0/16 -m mark --mark 0x8690/0xffff -j svc-22
[3329:635839] -A svc-18 -s 10.59.172.0/32 -i bond0.100 -m mark --mark 0xb34/0xffff -m comment --comment "rule svc-18/3" -j REJECT --reject-with icmp-host-prohibited
[3506:2885438] -A svc-18 -s 10.141.153.0/16 -i eth0 -p udp -m udp --sport 56764:56986 -m comment --comment "rule svc-18/4" -j ACCEPT
[1097:1499599] -A svc-18 -m conntrack --ctstate RELATED,ESTABLISHED -j DROP
[1219:850862] -A svc-18 -s 10.45.11.0/32 -m mark --mark 0xc09e/0xffff -j REJECT --reject-with icmp-host-prohibited
[3205:4214575] -A svc-18 -s 10.175.98.0/16 -p tcp -m tcp --dport 39350 -j ACCEPT
[2917:883851] -A svc-18 -s 10.254.213.0/32 ! -d 192.168.167.77 -p tcp -m multiport --dports 9275,9361 -j DROP
[2053:2190551] -A svc-19 -p tcp -m tcp --dport 51989 -j DROP
[2826:1136052] -A svc-19 -s 10.216.255.0/24 -i bond0.100 -p tcp -m tcp --dport 14942 -j ACCEPT
[2267:1564230] -A svc-19 -s 10.171.141.0/32 ! -d 192.168.183.90 -p udp -m udp --sport 19183:19359 -j ACCEPT
[1108:777816] -A svc-19 -s 10.80.38.0/32 -p tcp -m tcp --dport 47170 -j LOG --log-prefix "svc-19 3: "
[3172:2997540] -A svc-19 -s 10.81.105.0/32 -p udp -m udp --sport 34317:34407 -j ACCEPT
[360:369360] -A svc-19 -s 10.251.162.0/16 -p tcp -m tcp --dport 9107 -j LOG --log-prefix "svc-19 5: "
[2817:3115602] -A svc-19 -p tcp -m tcp --dport 2493 -j DROP
[3497:1538680] -A svc-19 -p udp -m udp --sport 48887:48931 -j ACCEPT
[1808:2256384] -A svc-19 -s 10.174.36.0/16 -i veth+ -m mark --mark 0x1aa/0xffff -j DROP
[1664:1657344] -A svc-19 -i eth0 -p udp -m udp --sport 23132:23223 -m comment --comment "rule svc-19/9" -j ACCEPT
[585:628290] -A svc-20 -i bond0.100 -m mark --mark 0xd7e4/0xffff -j ACCEPT
[3902:5427682] -A svc-20 -s 10.163.131.0/32 -p tcp -m tcp --dport 17715 -m comment --comment "rule svc-20/1" -j LOG --log-prefix "svc-20 1: "
[615:735540] -A svc-20 -i veth+ -p udp -m udp --sport 12605:12937 -j DROP
[3173:1411985] -A svc-20 -p tcp -m tcp --dport 38580 -m comment --comment "rule svc-20/3" -j REJECT --reject-with icmp-port-unreachable
[4418:6255888] -A svc-20 -s 10.32.49.0/28 -p udp -m udp --sport 57836:58214 -j svc-22
[3136:4503296] -A svc-20 -i bond0.100 -p udp -m udp --sport 41719:41942 -j ACCEPT
[4194:1996344] -A svc-20 -s 10.108.148.0/28 -p tcp -m multiport --dports 2170,6149 -j ACCEPT
[1197:1334655] -A svc-20 ! -d 192.168.143.230 -i eth0 -p udp -m udp --sport 40099:40379 -m comment --comment "rule svc-20/7" -j DROP
[2513:1394715] -A svc-20 -m conntrack --ctstate NEW -m comment --comment "rule svc-20/8" -j ACCEPT
[471:592047] -A svc-20 -s 10.111.197.0/16 -p tcp -m tcp --dport 44108 -j ACCEPT
[3640:487760] -A svc-20 ! -d 192.168.241.176 -m limit --limit 35/hour -j DROP
[4239:1801575] -A svc-21 -p tcp -m multiport --dports 912,4926,9339 -j LOG --log-prefix "svc-21 0: "
[1125:696375] -A svc-21 -p tcp -m multiport --dports 155,1061,4789,8252 -j ACCEPT
[1038:257424] -A svc-21 -s 10.106.169.0/32 ! -d 192.168.136.164 -m limit --limit 35/sec -j DROP
[4391:3828952] -A svc-21 -s 10.195.242.0/16 -p tcp -m tcp --dport 29877 -j REJECT --reject-with icmp-port-unreachable
[3049:865916] -A svc-21 ! -d 192.168.196.165 -p tcp -m tcp --dport 36329 -m comment --comment "rule svc-21/4" -j ACCEPT
[2197:1994876] -A svc-21 -s 10.225.131.0/24 -i bond0.100 -p tcp -m tcp --dport 30633 -j ACCEPT
[1715:353290] -A svc-21 -i bond0.100 -m limit --limit 52/hour -j LOG --log-prefix "svc-21 6: "
[3047:3202397] -A svc-21 -s 10.204.26.0/24 -i veth+ -p tcp -m tcp --dport 49308 -m comment --comment "rule svc-21/7" -j RETURN
[1894:257584] -A svc-21 -i eth1 -p tcp -m tcp --dport 42409 -m comment --comment "rule svc-21/8" -j ACCEPT
[2212:2329236] -A svc-21 -s 10.26.249.0/24 -p tcp -m multiport --dports 116,840,1780,4604,5589 -j svc-23
[3206:535402] -A svc-21 -p tcp -m tcp --dport 33506 -j ACCEPT
[1153:1052689] -A svc-22 -s 10.210.241.0/24 -p tcp -m multiport --dports 642,1508,3245,4725,6574 -j ACCEPT
[2438:3491216] -A svc-22 -s 10.187.237.0/28 -i eth1 -p udp -m udp --sport 22805:23139 -j ACCEPT
[1889:1686877] -A svc-22 -s 10.124.207.0/32 -i eth1 -p tcp -m multiport --dports 4374,5920,7541,8741 -j ACCEPT
[1506:728904] -A svc-22 -s 10.18.52.0/16 -m limit --limit 92/sec -j ACCEPT
[4153:1557375] -A svc-22 ! -d 192.168.224.9 -m conntrack --ctstate RELATED,ESTABLISHED -j DROP
[2296:1588832] -A svc-22 -s 10.146.31.0/24 -p tcp -m multiport --dports 1749,3499,8216,8412,8921 -j DROP
[4844:6476428] -A svc-22 -s 10.168.171.0/32 -m limit --limit 24/hour -j DROP
[1738:971542] -A svc-22 -s 10.143.237.0/24 -m mark --mark 0x9ccb/0xffff -j DROP
[4832:4372960] -A svc-22 -s 10.98.62.0/16 -m limit --limit 19/sec -j ACCEPT
[129:124614] -A svc-22 -s 10.25.64.0/28 -m limit --limit 86/min -j ACCEPT
[689:212901] -A svc-22 -p tcp -m tcp --dport 54054 -j ACCEPT
[495:467280] -A svc-22 -p tcp -m tcp --dport 31587 -j DROP
[91:98735] -A svc-23 -p tcp -m tcp --dport 63790 -j ACCEPT
[4274:4209890] -A svc-23 -s 10.181.107.0/28 -p tcp -m tcp --dport 37691 -m comment --comment "rule svc-23/1" -j ACCEPT
[3352:3348648] -A svc-23 -s 10.46.101.0/28 -p tcp -m tcp --dport 20068 -j RETURN
[3992:2542904] -A svc-23 -p tcp -m tcp --dport 4309 -j REJECT --reject-with icmp-net-unreachable
[3756:1630104] -A svc-23 -p tcp -m tcp --dport 30622 -j ACCEPT
[1618:1320288] -A svc-23 -m conntrack --ctstate INVALID -j ACCEPT
[60:88980] -A svc-23 -p tcp -m tcp --dport 12276 -m comment --comment "rule svc-23/6" -j ACCEPT
[3392:2428672] -A INPUT -p tcp -m tcp --dport 8000 -j svc-00
[2528:1883360] -A INPUT -p tcp -m tcp --dport 8001 -j svc-01
[1167:886920] -A INPUT -p tcp -m tcp --dport 8002 -j svc-02
[614:765658] -A INPUT -p tcp -m tcp --dport 8003 -j svc-03
[1958:2179254] -A INPUT -p tcp -m tcp --dport 8004 -j svc-04
[730:498590] -A INPUT -p tcp -m tcp --dport 8005 -j svc-05
[1746:2152818] -A INPUT -p tcp -m tcp --dport 8006 -j svc-06
[4287:4775718] -A INPUT -p tcp -m tcp --dport 8007 -j svc-07
[219:212868] -A INPUT -p tcp -m tcp --dport 8008 -j svc-08
[3652:1150380] -A INPUT -p tcp -m tcp --dport 8009 -j svc-09
[1744:1072560] -A INPUT -p tcp -m tcp --dport 8010 -j svc-10
[1932:2264304] -A INPUT -p tcp -m tcp --dport 8011 -j svc-11
[1380:975660] -A FORWARD -o eth0 -j svc-12
[2562:3484320] -A FORWARD -o eth1 -j svc-13
[4592:3241952] -A FORWARD -o eth2 -j svc-14
[4924:787840] -A FORWARD -o eth0 -j svc-15
[1109:1213246] -A FORWARD -o eth1 -j svc-16
[2975:398650] -A FORWARD -o eth2 -j svc-17
[3173:3068291] -A FORWARD -o eth0 -j svc-18
[2503:3604320] -A FORWARD -o eth1 -j svc-19
[3089:3240361] -A FORWARD -o eth2 -j svc-20
[4072:3595576] -A FORWARD -o eth0 -j svc-21
[3236:572772] -A FORWARD -o eth1 -j svc-22
[1702:2338548] -A FORWARD -o eth2 -j svc-23
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
[4133:6166436] -A PREROUTING -s 172.16.0.0/24 -j MARK --set-xmark 0x1/0xff
[1829:2730697] -A PREROUTING -s 172.16.1.0/24 -j MARK --set-xmark 0x2/0xff
[4561:2841503] -A PREROUTING -s 172.16.2.0/24 -j MARK --set-xmark 0x3/0xff
[4513:5167385] -A PREROUTING -s 172.16.3.0/24 -j MARK --set-xmark 0x4/0xff
[1316:683004] -A PREROUTING -s 172.16.4.0/24 -j MARK --set-xmark 0x5/0xff
[3696:2949408] -A PREROUTING -s 172.16.5.0/24 -j MARK --set-xmark 0x6/0xff
[3636:3239676] -A PREROUTING -s 172.16.6.0/24 -j MARK --set-xmark 0x7/0xff
[4754:3570254] -A PREROUTING -s 172.16.7.0/24 -j MARK --set-xmark 0x8/0xff
[192:46080] -A PREROUTING -s 172.16.8.0/24 -j MARK --set-xmark 0x9/0xff
[246:248952] -A PREROUTING -s 172.16.9.0/24 -j MARK --set-xmark 0xa/0xff
[4208:6017440] -A PREROUTING -s 172.16.10.0/24 -j MARK --set-xmark 0xb/0xff
[2189:2132086] -A PREROUTING -s 172.16.11.0/24 -j MARK --set-xmark 0xc/0xff
[2299:2503611] -A PREROUTING -s 172.16.12.0/24 -j MARK --set-xmark 0xd/0xff
[4784:2779504] -A PREROUTING -s 172.16.13.0/24 -j MARK --set-xmark 0xe/0xff
[1463:2181333] -A PREROUTING -s 172.16.14.0/24 -j MARK --set-xmark 0xf/0xff
[2586:2006736] -A PREROUTING -s 172.16.15.0/24 -j MARK --set-xmark 0x10/0xff
[541:774712] -A PREROUTING -s 172.16.16.0/24 -j MARK --set-xmark 0x11/0xff
[4516:6141760] -A PREROUTING -s 172.16.17.0/24 -j MARK --set-xmark 0x12/0xff
[352:226688] -A PREROUTING -s 172.16.18.0/24 -j MARK --set-xmark 0x13/0xff
[337:182317] -A PREROUTING -s 172.16.19.0/24 -j MARK --set-xmark 0x14/0xff
[4197:5963937] -A PREROUTING -s 172.16.20.0/24 -j MARK --set-xmark 0x15/0xff
[1402:1746892] -A PREROUTING -s 172.16.21.0/24 -j MARK --set-xmark 0x16/0xff
[1607:1910723] -A PREROUTING -s 172.16.22.0/24 -j MARK --set-xmark 0x17/0xff
[2070:1879560] -A PREROUTING -s 172.16.23.0/24 -j MARK --set-xmark 0x18/0xff
[4013:1813876] -A PREROUTING -s 172.16.24.0/24 -j MARK --set-xmark 0x19/0xff
[38:2964] -A PREROUTING -s 172.16.25.0/24 -j MARK --set-xmark 0x1a/0xff
[4222:6202118] -A PREROUTING -s 172.16.26.0/24 -j MARK --set-xmark 0x1b/0xff
[3492:4958640] -A PREROUTING -s 172.16.27.0/24 -j MARK --set-xmark 0x1c/0xff
[4447:449147] -A PREROUTING -s 172.16.28.0/24 -j MARK --set-xmark 0x1d/0xff
[2580:2079480] -A PREROUTING -s 172.16.29.0/24 -j MARK --set-xmark 0x1e/0xff
[2601:3469734] -A PREROUTING -s 172.16.30.0/24 -j MARK --set-xmark 0x1f/0xff
[802:892626] -A PREROUTING -s 172.16.31.0/24 -j MARK --set-xmark 0x20/0xff
[3865:498585] -A PREROUTING -s 172.16.32.0/24 -j MARK --set-xmark 0x21/0xff
[894:1328484] -A PREROUTING -s 172.16.33.0/24 -j MARK --set-xmark 0x22/0xff
[37:7807] -A PREROUTING -s 172.16.34.0/24 -j MARK --set-xmark 0x23/0xff
[2303:1324225] -A PREROUTING -s 172.16.35.0/24 -j MARK --set-xmark 0x24/0xff
[4007:5794122] -A PREROUTING -s 172.16.36.0/24 -j MARK --set-xmark 0x25/0xff
[4392:1401048] -A PREROUTING -s 172.16.37.0/24 -j MARK --set-xmark 0x26/0xff
[4722:2526270] -A PREROUTING -s 172.16.38.0/24 -j MARK --set-xmark 0x27/0xff
[4722:5543628] -A PREROUTING -s 172.16.39.0/24 -j MARK --set-xmark 0x28/0xff
COMMIT
R
iptables-legacy-restore -c < /tmp/lots.rules
iptables-legacy -L -n -v --line-numbers
iptables-legacy -I svc-03 2 -s 10.1.2.3 -j ACCEPT
iptables-legacy -I svc-03 -p tcp --dport 25 -j REJECT --reject-with tcp-reset
iptables-legacy -D svc-05 3
iptables-legacy -D svc-05 99 || true
iptables-legacy -R svc-07 1 -p udp --dport 53 -m comment --comment replaced -j ACCEPT
iptables-legacy -R svc-07 40 -j ACCEPT || true
iptables-legacy -E svc-23 svc-last
iptables-legacy -N spare
iptables-legacy -X spare
iptables-legacy -X svc-last || true
iptables-legacy -Z svc-01
iptables-legacy -Z INPUT 3
iptables-legacy -P FORWARD ACCEPT
iptables-legacy -P svc-02 ACCEPT || true
iptables-legacy -t mangle -D PREROUTING 40
iptables-legacy -t mangle -R PREROUTING 1 -s 172.16.0.0/24 -j MARK --set-mark 0x99
iptables-legacy -t mangle -Z PREROUTING
iptables-legacy -L svc-03 -n -v --line-numbers
iptables-legacy -L svc-07 -n -x -v
iptables-legacy -L INPUT -x -v -n
iptables-legacy -L FORWARD -v
iptables-legacy -S
iptables-legacy -S svc-01
iptables-legacy -t mangle -L -n -v -x --line-numbers
iptables-legacy -F svc-10
iptables-legacy -L svc-10
iptables-legacy-save -c
