# Sourced by bench scripts that talk to a daemon of their own: a scratch directory ($tmp) holding
# the daemon's state and socket, so that the bench neither uses nor changes this machine's module;
# on exit the daemon is stopped and the directory removed. The caller sets root (the checkout).
tmp=$(mktemp -d)
export BPFILTERCTL_STATE_DIR="$tmp/state" BPFILTERCTL_SOCKET="$tmp/d.sock"
private_daemon_cleanup() {
  "$root/bpfilterctl" daemon stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap private_daemon_cleanup EXIT
