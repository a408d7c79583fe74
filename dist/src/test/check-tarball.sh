#!/usr/bin/env bash
# Unpacks the tarball into a scratch prefix and uses it as an admin would: through a symlink to
# bin/bpfilterctl (as from /usr/local/bin), a batch on the embedded module, a documented exit code.
set -euo pipefail
tarball=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Its own state and socket: the check must neither use nor change this machine's module.
export BPFILTERCTL_STATE_DIR="$tmp/state" BPFILTERCTL_SOCKET="$tmp/d.sock"
tar xzf "$tarball" -C "$tmp"
root=$(echo "$tmp"/bpfilterctl-*)
for f in bin/bpfilterctl lib/libbpfilterctl-hook.so lib/bpfilterctl-cli-*.jar lib/bpfilterctl-core-*.jar \
  share/man/man1/bpfilterctl.1 share/man/man1/bpfilterctl-status.1 \
  share/man/man8/bpfilterctl-iptables.8 share/man/man8/bpfilterctl-iptables-save.8 \
  share/bash-completion/completions/bpfilterctl share/zsh/site-functions/_bpfilterctl; do
  compgen -G "$root/$f" >/dev/null || { echo "tarball: missing $f" >&2; exit 1; }
done
[ -x "$root/bin/bpfilterctl" ] || { echo "tarball: bin/bpfilterctl is not executable" >&2; exit 1; }
ln -s "$root/bin/bpfilterctl" "$tmp/bpfilterctl"
v=$("$tmp/bpfilterctl" --version)
[ "$v" = "bpfilterctl 0.1.0" ] || { echo "tarball: --version said '$v'" >&2; exit 1; }
out=$(printf 'load\nstatus --json\n' | "$tmp/bpfilterctl" --batch -)
grep -q '"state":"HEALTHY"' <<<"$out" || { echo "tarball: batch said: $out" >&2; exit 1; }
rc=0
"$tmp/bpfilterctl" ping >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 3 ] || { echo "tarball: ping without a module exited $rc, not 3" >&2; exit 1; }
env_lines=$("$tmp/bpfilterctl" hook env)
grep -qx "export LD_PRELOAD='$root/lib/libbpfilterctl-hook.so'" <<<"$env_lines" ||
  { echo "tarball: hook env said: $env_lines" >&2; exit 1; }
# An unmodified iptables-legacy under the installed hook, in a namespace of its own so that a hook
# that failed to catch its calls could only touch a throwaway kernel table.
if [ "$(id -u)" = 0 ] && command -v iptables-legacy >/dev/null && unshare -n true 2>/dev/null; then
  trap '"$tmp/bpfilterctl" daemon stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  unshare -n "$tmp/bpfilterctl" exec iptables-legacy -N from-the-hook 2>/dev/null
  listed=$(unshare -n "$tmp/bpfilterctl" iptables -S)
  grep -qx -- "-N from-the-hook" <<<"$listed" ||
    { echo "tarball: hooked iptables-legacy -N did not reach the module: $listed" >&2; exit 1; }
  # ip6tables stays the kernel's: the rule lands in this namespace's ip6_tables, not the module
  v6=$(unshare -n sh -c '"$1" ip6tables -A INPUT -s ::1 -j DROP && ip6tables-legacy -S INPUT' - \
    "$tmp/bpfilterctl")
  grep -qx -- "-A INPUT -s ::1/128 -j DROP" <<<"$v6" ||
    { echo "tarball: bpfilterctl ip6tables did not reach the kernel: $v6" >&2; exit 1; }
fi
echo "tarball OK: $(basename "$tarball") installs and runs"
