#!/usr/bin/env bash
# Cold start of one-shot bpfilterctl commands, measured beside a bare `java -version` in the same
# run: `bench/cold-start.sh [runs]`. Uses hyperfine when installed (apt-get install hyperfine),
# else a loop of date +%s%N. Then counts the classes each command loads, by origin, which is what
# dominates a JVM's start here.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
lib=cli/target/lib
if [ ! -f "$lib/bpfilterctl-cli-0.1.0.jar" ]; then
  mvn -q -B -DskipTests package -pl cli -am
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# The launcher's flags: serial GC, C1 only, the JDK's CDS archive.
flags="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto"
main="bpfilterctl.cli.Main"
jsa=$(mktemp -d)/bpfilterctl.jsa
# An application CDS archive of what `status` loads: what the launcher could ship.
"$java" $flags -XX:ArchiveClassesAtExit="$jsa" -cp "$lib/*" $main status >/dev/null 2>&1

names=("java -version" "java (launcher flags) -version" "bpfilterctl --version" "bpfilterctl status"
  "bpfilterctl status --json"
  "bpfilterctl --version, app CDS" "bpfilterctl status, app CDS")
cmds=("$java -version"
  "$java $flags -version"
  "$java $flags -cp $lib/* $main --version"
  "$java $flags -cp $lib/* $main status"
  "$java $flags -cp $lib/* $main status --json"
  "$java $flags -XX:SharedArchiveFile=$jsa -cp $lib/* $main --version"
  "$java $flags -XX:SharedArchiveFile=$jsa -cp $lib/* $main status")

echo "# $(date -u +%F) $(nproc) cpus, $("$java" -version 2>&1 | head -1), $runs runs each"
if command -v hyperfine >/dev/null; then
  args=()
  for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  json=$(mktemp)
  hyperfine -N --warmup 3 --runs "$runs" --style none --export-json "$json" "${args[@]}"
  python3 - "$json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
base = rs[0]["median"]
print("| command | median ms | min ms | user ms | sys ms | x java -version |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for r in rs:
    print("| %s | %.1f | %.1f | %.1f | %.1f | %.2f |" % (r["command"], r["median"] * 1e3,
          r["min"] * 1e3, r["user"] * 1e3, r["system"] * 1e3, r["median"] / base))
PY
  rm -f "$json"
else
  echo "| command | median ms |"
  echo "| --- | ---: |"
  for i in "${!cmds[@]}"; do
    ts=()
    for _ in $(seq "$runs"); do
      t0=$(date +%s%N)
      ${cmds[$i]} >/dev/null 2>&1 || true
      ts+=($(( ($(date +%s%N) - t0) / 1000 )))
    done
    med=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %s | %d.%d |\n' "${names[$i]}" $((med / 1000)) $((med % 1000 / 100))
  done
fi

echo
echo "classes loaded (JDK from CDS / JDK not shared / picocli / jline / jnr+jffi / bpfilterctl):"
for args in "--version" "status"; do
  log=$(mktemp)
  "$java" $flags -Xlog:class+load:file="$log" -cp "$lib/*" $main $args >/dev/null 2>&1
  printf '  %-10s total %4d: %4d / %4d / %3d / %3d / %3d / %3d\n' "$args" \
    "$(grep -c 'source:' "$log")" \
    "$(grep -c 'shared objects file' "$log")" \
    "$(grep 'source: jrt:/' "$log" | wc -l)" \
    "$(grep -c 'picocli' "$log")" \
    "$(grep -c 'org.jline' "$log")" \
    "$(grep -Ec ' (jnr|com.kenai)\.' "$log")" \
    "$(grep -c ' bpfilterctl\.' "$log")"
  rm -f "$log"
done
