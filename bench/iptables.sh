#!/usr/bin/env bash
# The iptables front-end beside its peers, in one run: restore of N rules, save, one -A into
# the restored table (rule sets, then tables of chains); ours warm inside one process (host, pipes, umh), iptables-legacy against
# the kernel in a fresh netns, and nft -f of iptables-restore-translate's output; then our cold
# one-shots (a JVM per command, through a daemon). Usage: bench/iptables.sh [sizes...] (root)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
(cd "$root" && mvn -q -B -DskipTests package)
tmp=$(mktemp -d)
cleanup() {
  "$root/bpfilterctl" daemon stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sizes=("${@:-1000 10000 50000}")
rounds=5
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )) | awk '{ print $1 / 1000 }'; }
echo "machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo), $(uname -r)"
printf '%-7s %-7s %10s %10s %10s %9s %9s\n' rules what ours_ms legacy_ms nft_ms ours/leg ours/nft
for n in ${sizes[@]}; do
  python3 "$here/make-ruleset.py" "$n" > "$tmp/rules"
  iptables-restore-translate -f "$tmp/rules" > "$tmp/nft" 2>/dev/null || : > "$tmp/nft"
  java -cp "$root/bench/target/lib/*" bpfilterctl.bench.IptablesBench "$tmp/rules" $rounds > "$tmp/ours"
  v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/ours"; }
  # iptables-legacy: each round in a fresh netns, restore then save then one append
  cat > "$tmp/legacy.sh" <<SH
s=\$(date +%s%N); iptables-legacy-restore "$tmp/rules"; e=\$(date +%s%N); echo restore \$(( (e - s) / 1000 ))
s=\$(date +%s%N); iptables-legacy-save >/dev/null; e=\$(date +%s%N); echo save \$(( (e - s) / 1000 ))
s=\$(date +%s%N); iptables-legacy -A INPUT -s 192.0.2.7 -p tcp --dport 8443 -j ACCEPT; e=\$(date +%s%N); echo append \$(( (e - s) / 1000 ))
SH
  : > "$tmp/legacy"
  for i in $(seq $rounds); do unshare -n bash "$tmp/legacy.sh" >> "$tmp/legacy"; done
  l() { awk -v k="$1" '$1 == k { print $2 / 1000 }' "$tmp/legacy" | median; }
  nft_restore=n/a
  if [ -s "$tmp/nft" ]; then
    : > "$tmp/nftt"
    for i in $(seq $rounds); do
      unshare -n bash -c "s=\$(date +%s%N); nft -f '$tmp/nft'; e=\$(date +%s%N); echo \$(( (e - s) / 1000 ))" >> "$tmp/nftt"
    done
    nft_restore=$(awk '{ print $1 / 1000 }' "$tmp/nftt" | median)
  fi
  for what in restore save append; do
    o=$(v ${what}_ms); g=$(l $what)
    nf=n/a; rn=n/a
    if [ "$what" = restore ] && [ "$nft_restore" != n/a ]; then nf=$nft_restore; rn=$(echo "$o / $nf" | bc -l | xargs printf '%.2f'); fi
    printf '%-7s %-7s %10s %10s %10s %9.2f %9s\n' "$n" "$what" "$o" "$g" "$nf" "$(echo "$o / $g" | bc -l)" "$rn"
  done
done

# Tables of chains (issue 17): N empty chains, and an N-deep chain of jumps. Same measures, same
# peers (no nft: the translation of 100k chains is not what is compared here).
chain_sets=("${CHAIN_SETS:-flat:20000 flat:100000 deep:40000}")
echo
printf '%-13s %-7s %10s %10s %9s\n' chains what ours_ms legacy_ms ours/leg
for set in ${chain_sets[@]}; do
  shape=${set%%:*} n=${set##*:}
  python3 "$here/make-chains.py" "$shape" "$n" > "$tmp/rules"
  java -cp "$root/bench/target/lib/*" bpfilterctl.bench.IptablesBench "$tmp/rules" $rounds > "$tmp/ours"
  : > "$tmp/legacy"
  for i in $(seq $rounds); do unshare -n bash "$tmp/legacy.sh" >> "$tmp/legacy"; done
  for what in restore save append; do
    o=$(v ${what}_ms); g=$(l $what)
    printf '%-13s %-7s %10s %10s %9.2f\n' "$shape $n" "$what" "$o" "$g" "$(echo "$o / $g" | bc -l)"
  done
done

# Cold one-shots: a fresh JVM per command, talking to a daemon started once (as a script does).
export BPFILTERCTL_STATE_DIR="$tmp/state" BPFILTERCTL_SOCKET="$tmp/sock"
mkdir -p "$tmp/state"
"$root/bpfilterctl" load >/dev/null
"$root/bpfilterctl" --version >/dev/null   # the CDS archive is made on the first run
python3 "$here/make-ruleset.py" 1000 > "$tmp/rules1k"
echo
printf '%-34s %10s\n' "cold one-shot (1k-rule table)" ms
c() { local label="$1"; shift; local t=(); for i in $(seq $rounds); do t+=("$(ms "$@")"); done; printf '%-34s %10s\n' "$label" "$(printf '%s\n' "${t[@]}" | median)"; }
c "java -version (JVM floor)" java -version
c "bpfilterctl --version" "$root/bpfilterctl" --version
c "bpfilterctl iptables-restore 1k" "$root/bpfilterctl" iptables-restore "$tmp/rules1k"
c "bpfilterctl iptables -S" "$root/bpfilterctl" iptables -S
c "bpfilterctl iptables -A" "$root/bpfilterctl" iptables -A INPUT -s 192.0.2.9 -j DROP
c "iptables-legacy -S (kernel, netns)" unshare -n iptables-legacy -S
