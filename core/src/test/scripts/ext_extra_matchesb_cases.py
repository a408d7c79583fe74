"""The extra single-rule cases of the second match area (ah/esp/ipcomp, sctp, dccp and the
single-purpose matches): edge values, errors, -L names, rateest with real estimators, and rules only
the kernel refuses (recorded with their SET_REPLACE). Usage:
  ext_extra_matchesb_cases.py | record_rule_oracle.py | gzip -9n > ext-extra-matchesb.jsonl.gz
"""
import json
C=[]
def a(rule, table="filter", chain="INPUT", **kw):
    d={"table":table,"chain":chain,"rule":rule}; d.update(kw); C.append(d)
K=dict(keep_replace=True)
# ah/esp/ipcomp edge forms and errors
for r in ["-p ah -m ah --ahspi 1:2:3","-p ah -m ah --ahspi 5x","-p ah -m ah --ahspi 0x10","-p ah -m ah --ahspi 010:0x20",
          "-p ah -m ah ! --ahspi 7:9","-p ah -m ah --ahspi 5 --ahspi 6","-p ah ! -m ah --ahspi 5","-p esp -m esp --espspi 1:2:3",
          "-p esp -m esp ! --espspi 1","-p ipcomp -m ipcomp --compres","-p ipcomp -m ipcomp ! --ipcompspi 3:4 --compres",
          "-p ipcomp -m ipcomp --ipcompspi 5 --compres --compres","-p ipcomp -m ipcomp ! --compres","-p esp -m esp --espspi '' "]:
    a(r)
# sctp
for r in ["-p sctp -m sctp --sport 5:3","-p sctp -m sctp --sport :7","-p sctp -m sctp --sport 7:","-p sctp -m sctp --sport 0x10",
          "-p sctp -m sctp ! --sport 1:2 ! --dport 3:4","-p sctp -m sctp --dport ssh","-p sctp -m sctp --dport 22","-p sctp -m sctp --sport 80:8080",
          "-p sctp -m sctp --sport 1 --sport 2","-p sctp -m sctp --dport nosuchsvc","-p sctp -m sctp --sport 1:2:3",
          "-p sctp -m sctp --chunk-types any DATA,INIT,ABORT","-p sctp -m sctp --chunk-types only INIT_ACK,SACK",
          "-p sctp -m sctp ! --chunk-types all DATA","-p sctp -m sctp --chunk-types all ALL","-p sctp -m sctp --chunk-types any NONE",
          "-p sctp -m sctp --chunk-types all data:IUbe","-p sctp -m sctp --chunk-types any ABORT:T,SHUTDOWN_COMPLETE:t",
          "-p sctp -m sctp --chunk-types any DATA:I,DATA:e","-p sctp -m sctp --chunk-types any I_DATA:B",
          "-p sctp -m sctp --chunk-types any INIT:X","-p sctp -m sctp --chunk-types any FOO","-p sctp -m sctp --chunk-types some DATA",
          "-p sctp -m sctp --chunk-types all","-p sctp -m sctp --chunk-types all --dport 1","-p sctp -m sctp --chunk-types all ! DATA",
          "-p sctp -m sctp --chunk-types any DATA --chunk-types any INIT","-p sctp -m sctp --chunk-types ANY asconf,FORWARD_TSN,ASCONF_ACK",
          "-p sctp -m sctp --chunk-types any DATA:I,ABORT:T,SHUTDOWN_COMPLETE:T,I_DATA:U,DATA:B",
          "-p sctp -m sctp --sport 10 --dport 20 --chunk-types only DATA,ALL","-p sctp -m sctp","-p sctp --dport 5","-p sctp -m sctp --dport 1:65535"]:
    a(r)
# dccp
for r in ["-p dccp -m dccp --dccp-types REQUEST","-p dccp -m dccp --dccp-types ack,data","-p dccp -m dccp --dccp-types INVALID",
          "-p dccp -m dccp --dccp-types FOO","-p dccp -m dccp ! --dccp-option 5","-p dccp -m dccp --dccp-option 0",
          "-p dccp -m dccp --sport ssh","-p dccp -m dccp --dport 22:http","-p dccp -m dccp --sport 1:2:3","-p dccp -m dccp --sport 1 --sport 2",
          "-p dccp -m dccp --sport 5 --dport 6 --dccp-types SYNC,RESET --dccp-option 9","-p dccp -m dccp --dccp-types SYNCACK,INVALID,REQUEST",
          "-p dccp -m dccp --dccp-types ,","-p dccp -m dccp --dport 65536"]:
    a(r)
# cgroup
for r in ['-m cgroup --path "/a b"','-m cgroup --path "/sys\\"q"','-m cgroup --cgroup 0x10','-m cgroup ! --cgroup 4294967295',
          '-m cgroup --cgroup 4294967296','-m cgroup --path /user.slice --cgroup 5','-m cgroup --path ""']:
    a(r, table="mangle", **K)
a('-m cgroup --path /x', table="mangle", chain="OUTPUT")
a('-m cgroup --cgroup 7', table="filter", chain="OUTPUT")
# cluster
for r in ["-m cluster --cluster-total-nodes 2 ! --cluster-local-node 1 --cluster-hash-seed 1",
          "-m cluster --cluster-total-nodes 4 --cluster-local-nodemask 5 --cluster-hash-seed 0",
          "-m cluster --cluster-total-nodes 2 --cluster-local-nodemask 7 --cluster-hash-seed 0",
          "-m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed 0",
          "-m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-local-nodemask 1 --cluster-hash-seed 0",
          "-m cluster --cluster-total-nodes 33 --cluster-local-node 1 --cluster-hash-seed 0",
          "-m cluster --cluster-total-nodes 32 --cluster-local-node 32 --cluster-hash-seed 4294967295",
          "-m cluster --cluster-local-node 1 --cluster-hash-seed 1","-m cluster --cluster-local-node 1",
          "-m cluster --cluster-total-nodes 2 ! --cluster-local-nodemask 3 --cluster-hash-seed 9"]:
    a(r, table="mangle", chain="PREROUTING", **K)
# connlabel
for r in ['-m connlabel --label 0','-m connlabel --label 127 --set','-m connlabel --label 0x10','-m connlabel --label ""','-m connlabel --set',
          '-m connlabel --label 1 --label 2','-m connlabel ! --set --label 3']:
    a(r, **K)
# cpu
for r in ["-m cpu --cpu 0x1f","-m cpu --cpu -1","-m cpu --cpu 1 --cpu 2","-m cpu ! --cpu 3"]:
    a(r)
# devgroup
for r in ["-m devgroup --src-group 1","-m devgroup ! --dst-group 0x10/0xff","-m devgroup --src-group default","-m devgroup --src-group 0",
          "-m devgroup ! --src-group 2 --dst-group 3/4","-m devgroup","-m devgroup --src-group nosuch","-m devgroup --src-group 1/",
          "-m devgroup --src-group 1x","-m devgroup --src-group 4294967296","-m devgroup --src-group 0/0xffffffff","-m devgroup --src-group 1 --src-group 2"]:
    a(r, chain="FORWARD", **K)
# nfacct
for r in ["-m nfacct --nfacct-name foo","-m nfacct --nfacct-name 'a b'","-m nfacct --nfacct-name ''","-m nfacct --nfacct-name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]:
    a(r, **K)
# osf
for r in ["-p tcp -m osf ! --genre Windows","-p tcp -m osf --genre Linux --ttl 2","-p tcp -m osf --genre Linux --log 1",
          "-p tcp -m osf --ttl 1","-p tcp -m osf --genre aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","-p tcp -m osf --genre x --log 3"]:
    a(r, **K)
# quota
for r in ["-m quota --quota 0x10","-m quota --quota 1 --quota 2","-m quota --quota -1"]:
    a(r)
# rateest: with estimators
setup=["-A OUTPUT -j RATEEST --rateest-name RE1 --rateest-interval 250ms --rateest-ewmalog 0.5s",
       "-A OUTPUT -j RATEEST --rateest-name RE2 --rateest-interval 250ms --rateest-ewmalog 0.5s"]
for r in ["-m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit","-m rateest --rateest RE1 --rateest-eq --rateest-pps 5",
          "-m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit","-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit",
          "-m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2","-m rateest --rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2",
          "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-eq --rateest-bps2 16bit","-m rateest --rateest RE1 ! --rateest-gt --rateest-bps 2Mbit",
          "-m rateest --rateest RE1 --rateest-lt --rateest-bps 1.5gbit","-m rateest --rateest RE1 --rateest-lt --rateest-bps 1000","-m rateest --rateest RE1 --rateest-lt --rateest-bps 3KiBps",
          "-m rateest --rateest RE1 --rateest-lt --rateest-bps 5xbit","-m rateest --rateest RE1 --rateest-lt --rateest-pps x",
          "-m rateest --rateest1 RE1 --rateest2 RE2 --rateest-gt --rateest-pps","-m rateest --rateest1 RE1 --rateest2 RE2 --rateest-bps --rateest-pps --rateest-eq",
          "-m rateest --rateest RE1 --rateest RE2","-m rateest ! --rateest RE1","-m rateest --rateest RE1 --rateest-lt --rateest-gt --rateest-bps 1",
          "-m rateest --rateest RE1 --rateest-lt --rateest-bps 123456789","-m rateest --rateest RE1 --rateest-lt --rateest-bps 7bit",
          "-m rateest --rateest-delta --rateest1 RE1 --rateest-bps1 1mbit --rateest-gt --rateest-bps2 2mbit --rateest2 RE2",
          "-m rateest --rateest RE1 --rateest-lt --rateest-pps"]:
    a(r, chain="FORWARD", setup=setup, **K)
# realm
for r in ["-m realm --realm cosmos","-m realm ! --realm 5","-m realm --realm 0","-m realm --realm 0/0xff","-m realm --realm nosuch","-m realm --realm 1/x","-m realm --realm 4/5/6"]:
    a(r, chain="OUTPUT", **K)
# rpfilter
for r in ["-m rpfilter --invert","-m rpfilter --loose --loose","-m rpfilter ! --loose","-m rpfilter --accept-local --validmark"]:
    a(r, table="mangle", chain="PREROUTING", **K)
a("-m rpfilter", table="filter", chain="INPUT", **K)
# bpf
for r in ['-m bpf --bytecode "1,6 0 0 65535"','-m bpf --bytecode "0,"','-m bpf --bytecode "2,6 0 0 1"','-m bpf --bytecode "1,6 0 0 1,6 0 0 2"',
          '-m bpf --bytecode "1,6 0 x 1"','-m bpf --bytecode "x"','-m bpf --bytecode "1,6 0 0 1,"','-m bpf --bytecode "65,6 0 0 1"',
          '-m bpf --bytecode " 1, 6 0 0 -1"','-m bpf','-m bpf --object-pinned /sys/fs/bpf/nosuch','-m bpf --bytecode "1,6 0 0 1" --bytecode "1,6 0 0 2"']:
    a(r, **K)
# ipvs (no kernel module: bytes only)
for r in ["-m ipvs --ipvs","-m ipvs ! --ipvs","-m ipvs --vproto tcp","-m ipvs --vaddr 1.2.3.4/16","-m ipvs ! --vaddr 1.2.3.4/255.0.255.0",
          "-m ipvs --vport http","-m ipvs ! --vportctl 21","-m ipvs --vdir REPLY","-m ipvs --vdir foo","-m ipvs ! --vdir REPLY","-m ipvs --vmethod MASQ",
          "-m ipvs --vmethod xx","-m ipvs","-m ipvs ! --ipvs --vport 1","-m ipvs --vproto 6 --vaddr 1.2.3.4/16 --vport 22 --vdir ORIGINAL --vmethod GATE --vportctl 21"]:
    a(r, **K)
# l2tp (no userspace in 1.8.9)
a("-m l2tp --tid 5")
# the suite's lines of these matches that only the kernel refused, again with their blob
import gzip, os, re
suite = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../resources/rules/ext-cases-oracle.jsonl.gz")
mine = set("ah esp ipcomp sctp dccp cgroup cluster connlabel cpu devgroup nfacct osf quota rateest realm rpfilter bpf ipvs".split())
for line in gzip.open(suite, "rt"):
    d = json.loads(line)
    if d["rc"] == 1 and mine & set(re.findall(r"-m (\S+)", d["rule"])):
        a(d["rule"], table=d["table"], chain=d["chain"], file=d["file"], **K)
for c in C: print(json.dumps(c))
