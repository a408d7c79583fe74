/*
 * bpfilterctl's sockopt hook: bpfilter's "hooks in get/setsockopt() pass iptables commands into
 * the umh", in user space. Preloaded (LD_PRELOAD) into an unmodified iptables-legacy, ufw, ferm
 * or any libiptc program, it turns the IPv4 iptables socket into a connection to the bpfilterctl
 * daemon (docs/daemon-protocol.md) and its IPT_SO_* options into CALL frames. Everything else
 * goes to libc untouched.
 *
 * Wrapped: socket, setsockopt, getsockopt, close, and fopen/open/openat (and their 64-bit-offset
 * aliases) of /proc/net/ip_tables_names. Nothing else.
 *
 * Rules kept here: no output on success; no lock and no heap allocation across a call into the
 * daemon (a busy connection makes a second thread use a connection of its own); a forked child
 * never shares its parent's connection, and a closed socket's connection serves only this
 * process's next socket with the same credentials; every failure is an errno the caller already
 * knows.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#define HOOK_EXPORT __attribute__((visibility("default")))

/* The iptables socket options (linux/netfilter_ipv4/ip_tables.h). */
enum {
  IPT_SO_SET_REPLACE = 64,
  IPT_SO_SET_ADD_COUNTERS = 65,
  IPT_SO_GET_INFO = 64,
  IPT_SO_GET_ENTRIES = 65,
  IPT_SO_GET_REVISION_MATCH = 66,
  IPT_SO_GET_REVISION_TARGET = 67,
  BPF_SO_GET_TABLE_NAMES = 1024, /* ours: the module's /proc/net/ip_tables_names */
};

/* struct ipt_get_entries: name and size, all that the kernel reads of the caller's buffer. */
enum { GET_ENTRIES_HEAD = 40, GET_ENTRIES_SIZE = 32 };

/* Trailing zeros of a set's buffer left for the daemon to add back, when at least this many. */
enum { ZEROS_WORTH_CUTTING = 4096 };

/* struct ipt_replace: where the caller's old-counters buffer pointer sits. */
enum { REPLACE_NUM_COUNTERS = 84, REPLACE_COUNTERS_PTR = 88, REPLACE_HEADER = 96, COUNTER = 16 };

/* The daemon protocol (docs/daemon-protocol.md). */
enum {
  PROTOCOL_VERSION = 1,
  FRAME_HELLO = 1,
  FRAME_WELCOME = 2,
  FRAME_CALL = 3,
  FRAME_REPLY = 4,
  FRAME_FAIL = 5,
  FRAME_CONTROL = 6,
  FRAME_TEXT = 7,
  FRAME_CALL_HEAD = 14, /* a CALL cut short; the daemon pads it with zeros to its len */
  MBOX_HEADER = 24,
};

/* ModuleException.Kind ordinals, as FAIL carries them. */
enum {
  FAIL_NOT_LOADED = 0,
  FAIL_FAILED = 1,
  FAIL_RESTARTING = 2,
  FAIL_START_FAILED = 3,
  FAIL_UMH_DIED = 4,
  FAIL_TIMEOUT = 5,
  FAIL_PROTOCOL = 6,
  FAIL_PERMISSION_DENIED = 7,
  FAIL_DAEMON = 8,
};

static const char NAMES_PATH[] = "/proc/net/ip_tables_names";

extern char **environ;

/* Hooked fds: which process connected each (0: not ours), the socket's inode (so that an fd
 * number reused behind our back is noticed), a busy flag (one exchange at a time on a stream),
 * and a real raw socket made on demand for the options we do not forward. */
#define MAX_FDS 65536
static _Atomic pid_t owner[MAX_FDS];
static _Atomic ino_t inode[MAX_FDS];
static atomic_flag busy[MAX_FDS];
static _Atomic int shadow[MAX_FDS]; /* real raw socket + 1; 0 when none */
static _Atomic int access_of[MAX_FDS];     /* what WELCOME granted the connection */
static _Atomic uint64_t creds_of[MAX_FDS]; /* for which uid and gid (ids_now) */
static _Atomic uint32_t groups_of[MAX_FDS]; /* and which groups (groups_now) */
static atomic_int welcome_pending[MAX_FDS]; /* HELLO sent, its WELCOME not read yet */
static atomic_int daemon_started;   /* this process started a daemon: say so once */
static atomic_int no_call_head;     /* the daemon does not know CALL_HEAD: send whole buffers */

/* The last WELCOME's verdict for this process and credentials, packed as the parked connection
 * is: a later socket() with the same ones sends HELLO and goes on, its WELCOME read with the
 * first answer (one round trip instead of two). Only a grant is kept: a refusal is always asked
 * anew, so that socket() keeps the kernel's EPERM. */
static _Atomic uint64_t verdict_of;  /* pid << 32 | access; 0 when none */
static _Atomic uint64_t verdict_ids;
static _Atomic uint32_t verdict_groups;

/* One idle daemon connection per process, kept when a hooked socket closes: libxtables opens and
 * closes a socket per revision probe, and the next socket() then skips connect and HELLO. Packed
 * as (pid << 32 | fd + 1), 0 when none, so that one exchange takes it whole and a forked child
 * knows it is its parent's. What the daemon granted it, and for which credentials (the daemon
 * judged those at connect time), sit beside it, indexed by the parked fd. */
static _Atomic uint64_t parked;
static ino_t parked_inode[MAX_FDS];
static int parked_access[MAX_FDS];
static uint64_t parked_ids[MAX_FDS];
static uint32_t parked_groups[MAX_FDS];
enum { PARK_FD_MIN = 256 };
static atomic_int said_unreachable; /* and say once that none could be reached */

static int (*real_socket)(int, int, int);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_getsockopt)(int, int, int, void *, socklen_t *);
static int (*real_close)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);

/* dlsym is safe to repeat; a racing second resolution stores the same address. */
#define RESOLVE(name)                                                  \
  do {                                                                 \
    if (!real_##name) {                                                \
      *(void **)(&real_##name) = dlsym(RTLD_NEXT, #name);              \
    }                                                                  \
  } while (0)

__attribute__((constructor)) static void resolve_all(void) {
  RESOLVE(socket);
  RESOLVE(setsockopt);
  RESOLVE(getsockopt);
  RESOLVE(close);
  RESOLVE(open);
  RESOLVE(open64);
  RESOLVE(openat);
  RESOLVE(openat64);
  RESOLVE(fopen);
  RESOLVE(fopen64);
}

/* ---- small helpers, none of which allocates ---- */

static void say(const char *a, const char *b, const char *c, const char *d) {
  char line[1024];
  int n = snprintf(line, sizeof line, "bpfilterctl-hook: %s%s%s%s\n", a, b ? b : "", c ? c : "",
                   d ? d : "");
  if (n > 0) {
    ssize_t ignored = write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    (void)ignored;
  }
}

/* Where the daemon listens: DaemonPaths' rule, so that hook and commands meet. */
static const char *socket_path(char *buf, size_t cap) {
  const char *env = getenv("BPFILTERCTL_SOCKET");
  if (env && *env) {
    return env;
  }
  if (geteuid() == 0) {
    return "/run/bpfilterctl/bpfilterctl.sock";
  }
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg) {
    snprintf(buf, cap, "%s/bpfilterctl/bpfilterctl.sock", xdg);
  } else {
    const char *home = getenv("HOME");
    snprintf(buf, cap, "%s/.local/state/bpfilterctl/bpfilterctl.sock", home ? home : "");
  }
  return buf;
}

static int send_all(int fd, const struct iovec *iov_in, int n) {
  struct iovec iov[4];
  memcpy(iov, iov_in, sizeof(struct iovec) * (size_t)n);
  struct iovec *v = iov;
  while (n > 0) {
    struct msghdr m = {.msg_iov = v, .msg_iovlen = (size_t)n};
    ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    while (n > 0 && (size_t)w >= v->iov_len) {
      w -= (ssize_t)v->iov_len;
      v++;
      n--;
    }
    if (n > 0) {
      v->iov_base = (char *)v->iov_base + w;
      v->iov_len -= (size_t)w;
    }
  }
  return 0;
}

static int recv_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t r = recv(fd, p, len, 0);
    if (r == 0) {
      errno = ECONNRESET;
      return -1;
    }
    if (r < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    p += r;
    len -= (size_t)r;
  }
  return 0;
}

static int skip(int fd, size_t len) {
  char sink[4096];
  while (len > 0) {
    size_t n = len < sizeof sink ? len : sizeof sink;
    if (recv_all(fd, sink, n) < 0) {
      return -1;
    }
    len -= n;
  }
  return 0;
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

static uint32_t get32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static int send_frame(int fd, int type, const void *a, size_t alen, const void *b, size_t blen) {
  unsigned char head[5];
  put32(head, (uint32_t)(1 + alen + blen));
  head[4] = (unsigned char)type;
  struct iovec iov[3] = {{head, 5}, {(void *)a, alen}, {(void *)b, blen}};
  return send_all(fd, iov, blen ? 3 : (alen ? 2 : 1));
}

/* Reads a frame header: the type, and the body length left to read. */
static int recv_head(int fd, int *type, uint32_t *body) {
  unsigned char head[5];
  if (recv_all(fd, head, 5) < 0) {
    return -1;
  }
  uint32_t len = get32(head);
  if (len < 1) {
    errno = EPROTO;
    return -1;
  }
  *type = head[4];
  *body = len - 1;
  return 0;
}

/* A FAIL body: kind, and the message cut to fit. */
static int recv_fail(int fd, uint32_t body, char *msg, size_t cap) {
  unsigned char kind = FAIL_DAEMON;
  if (body > 0) {
    if (recv_all(fd, &kind, 1) < 0) {
      return -1;
    }
    body--;
  }
  size_t n = body < cap - 1 ? body : cap - 1;
  if (recv_all(fd, msg, n) < 0 || skip(fd, body - n) < 0) {
    return -1;
  }
  msg[n] = 0;
  return kind;
}

/* ---- the connection ---- */

static int connect_once(const char *path) {
  int fd = real_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) {
    real_close(fd);
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(a.sun_path, path);
  while (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    if (errno == EINTR) {
      continue;
    }
    int e = errno;
    real_close(fd);
    errno = e;
    return -1;
  }
  /* A daemon that never answers must not hang iptables for ever. */
  struct timeval tv = {.tv_sec = 120};
  real_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/* What a peer may do, as WELCOME and CONTROL `access` say it. */
enum { ACCESS_NONE = 0, ACCESS_READ = 1, ACCESS_WRITE = 2, ACCESS_UNKNOWN = -1 };

/*
 * HELLO, then WELCOME; returns the access WELCOME carries (ACCESS_UNKNOWN from a daemon that
 * does not say), or -2. On a refusal the daemon's reason goes to stderr.
 */
static int send_hello(int fd) {
  unsigned char b[10];
  memcpy(b, "BPFC", 4);
  uint16_t v = PROTOCOL_VERSION;
  memcpy(b + 4, &v, 2);
  put32(b + 6, (uint32_t)getpid());
  return send_frame(fd, FRAME_HELLO, b, sizeof b, NULL, 0);
}

static int hello(int fd, const char *path) {
  int type;
  uint32_t body;
  if (send_hello(fd) < 0 || recv_head(fd, &type, &body) < 0) {
    return -2;
  }
  if (type == FRAME_WELCOME) {
    unsigned char w[3];
    uint32_t n = body < sizeof w ? body : sizeof w;
    if (recv_all(fd, w, n) < 0 || skip(fd, body - n) < 0) {
      return -2;
    }
    return n >= 3 ? w[2] : ACCESS_UNKNOWN;
  }
  if (type == FRAME_FAIL) {
    char msg[512];
    if (recv_fail(fd, body, msg, sizeof msg) >= 0) {
      say("the daemon on ", path, " refused us: ", msg);
    }
  }
  errno = EPROTO;
  return -2;
}

/* Starts `$BPFILTERCTL_BIN daemon --detach` and waits for it, as a one-shot does. */
static int start_daemon(const char *path) {
  const char *bin = getenv("BPFILTERCTL_BIN");
  if (!bin || !*bin) {
    errno = ECONNREFUSED;
    return -1;
  }
  const char *state = getenv("BPFILTERCTL_STATE_DIR");
  char *argv[8];
  int n = 0;
  argv[n++] = (char *)bin;
  argv[n++] = "daemon";
  argv[n++] = "--detach";
  argv[n++] = "--socket";
  argv[n++] = (char *)path;
  if (state && *state) {
    argv[n++] = "--state-dir";
    argv[n++] = (char *)state;
  }
  argv[n] = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  /* Its "daemon started" goes where our caller would not parse it: our own line says it. */
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  /* The daemon must not inherit the hook: it opens raw sockets of its own. */
  char *env[512];
  int m = 0;
  for (char **e = environ; *e && m < 511; e++) {
    if (strncmp(*e, "LD_PRELOAD=", 11) != 0) {
      env[m++] = *e;
    }
  }
  env[m] = NULL;
  pid_t pid;
  int rc = posix_spawnp(&pid, bin, &fa, NULL, argv, env);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      break; /* SIGCHLD ignored by our host program: the daemon may still come up */
    }
  }
  for (int i = 0; i < 200; i++) {
    int fd = connect_once(path);
    if (fd >= 0) {
      if (atomic_exchange(&daemon_started, 1) == 0) {
        say("no daemon answered on ", path, ": started one (bpfilterctl daemon --detach)", NULL);
      }
      return fd;
    }
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  errno = ECONNREFUSED;
  return -1;
}

/*
 * A connection that has said HELLO; quiet on failure (errno says why, *why too). *access gets
 * what WELCOME said the caller may do (ACCESS_UNKNOWN when it did not say).
 */
static int open_connection(const char **why, char *pathbuf, size_t cap, int *access) {
  const char *path = socket_path(pathbuf, cap);
  int fd = connect_once(path);
  if (fd < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
    int first = errno;
    fd = start_daemon(path);
    if (fd < 0 && !getenv("BPFILTERCTL_BIN")) {
      errno = first;
      *why = "none can be started here: BPFILTERCTL_BIN is not set (run under `bpfilterctl exec`)";
      return -1;
    }
  }
  if (fd < 0) {
    *why = strerror(errno);
    return -1;
  }
  int granted = hello(fd, path);
  if (granted == -2) {
    int e = errno;
    real_close(fd);
    errno = e;
    *why = "it did not answer HELLO as a bpfilterctl daemon";
    return -1;
  }
  if (fd < MAX_FDS) {
    atomic_store(&welcome_pending[fd], 0);
  }
  if (access) {
    *access = granted;
  }
  return fd;
}

/* The verdict kept for this process and credentials (ACCESS_READ or ACCESS_WRITE), or
 * ACCESS_UNKNOWN. */
static int known_verdict(uint64_t ids, uint32_t groups) {
  uint64_t v = atomic_load(&verdict_of);
  if (v == 0 || (pid_t)(v >> 32) != getpid() || atomic_load(&verdict_ids) != ids ||
      atomic_load(&verdict_groups) != groups || atomic_load(&verdict_of) != v) {
    return ACCESS_UNKNOWN;
  }
  return (int)(uint32_t)v;
}

static void keep_verdict(int access, uint64_t ids, uint32_t groups) {
  if (access != ACCESS_READ && access != ACCESS_WRITE) {
    return;
  }
  atomic_store(&verdict_of, 0);
  atomic_store(&verdict_ids, ids);
  atomic_store(&verdict_groups, groups);
  atomic_store(&verdict_of, ((uint64_t)getpid() << 32) | (uint32_t)access);
}

/*
 * A connection for a process whose credentials the daemon granted before: HELLO is sent and
 * its WELCOME left for the first exchange to read. -1 (errno set) when none could be made.
 */
static int open_pipelined(char *pathbuf, size_t cap) {
  int fd = connect_once(socket_path(pathbuf, cap));
  if (fd < 0) {
    return -1;
  }
  if (fd >= MAX_FDS || send_hello(fd) < 0) {
    int e = errno;
    real_close(fd);
    errno = fd >= MAX_FDS ? EMFILE : e;
    return -1;
  }
  atomic_store(&welcome_pending[fd], 1);
  return fd;
}

/*
 * Whom every daemon grants write access (docs/daemon-protocol.md, "Access control"): uid 0, and
 * the uid the daemon runs as, which owns its socket. Such a caller need not wait for a first
 * WELCOME either: no daemon refuses it, so socket() has no EPERM to give.
 */
static int surely_granted(const char *path) {
  uid_t e = geteuid();
  if (e == 0) {
    return 1;
  }
  struct stat st;
  return stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == e;
}

/*
 * The errno for a daemon open_connection could not reach (errno says why). A socket we may not
 * open is the kernel's EPERM for a non-root raw socket, and iptables' own message says it all;
 * anything else reads as "not reachable", and the hook says once why.
 */
static int unreachable(const char *why, char *path, size_t cap) {
  int e = errno;
  if (e == EACCES || e == EPERM) {
    return EPERM;
  }
  if (atomic_exchange(&said_unreachable, 1) == 0) {
    say("cannot reach the daemon on ", socket_path(path, cap), ": ", why);
  }
  return ECONNREFUSED;
}

/* One CONTROL command; returns the FAIL kind, or -1 after TEXT (errno set on I/O failure). */
static int control(int fd, const char *cmd, char *text, size_t cap) {
  int type;
  uint32_t body;
  if (send_frame(fd, FRAME_CONTROL, cmd, strlen(cmd), NULL, 0) < 0 ||
      recv_head(fd, &type, &body) < 0) {
    return -2;
  }
  if (type == FRAME_FAIL) {
    char msg[256];
    return recv_fail(fd, body, msg, sizeof msg);
  }
  if (type != FRAME_TEXT) {
    errno = EPROTO;
    return -2;
  }
  size_t n = body < cap - 1 ? body : cap - 1;
  if (recv_all(fd, text, n) < 0 || skip(fd, body - n) < 0) {
    return -2;
  }
  text[n] = 0;
  return -1;
}

/* What call() returns when the exchange itself failed (errno says how). */
#define BROKEN INT_MIN

/* The errno a FAIL kind becomes, as the seed's module answered its callers. */
static int fail_errno(int kind) {
  switch (kind) {
    case FAIL_PERMISSION_DENIED:
      return EPERM;
    case FAIL_FAILED:
    case FAIL_START_FAILED:
      return ECHILD; /* no umh to forward to, and none could be started */
    default:
      return EFAULT; /* the exchange with the umh failed */
  }
}

/* Reads the WELCOME of a HELLO sent without waiting (socket() sent it); 0, or -1 when the
 * daemon sent anything else (it then closes the connection: its reason goes to stderr). */
static int take_welcome(int fd) {
  if (fd >= MAX_FDS || !atomic_exchange(&welcome_pending[fd], 0)) {
    return 0;
  }
  int type;
  uint32_t body;
  if (recv_head(fd, &type, &body) < 0) {
    return -1;
  }
  if (type == FRAME_FAIL) {
    char msg[512];
    if (recv_fail(fd, body, msg, sizeof msg) >= 0) {
      say("the daemon refused us: ", msg, NULL, NULL);
    }
    return -1;
  }
  /* Its access is not needed: a CALL the daemon refuses comes back as PERMISSION_DENIED. */
  return skip(fd, body) < 0 || type != FRAME_WELCOME ? -1 : 0;
}

/*
 * One CALL: sends hdr+payload, and on REPLY copies the status and up to out_cap payload bytes to
 * out. A module not loaded yet is loaded first, as the kernel loads ip_tables on first use.
 * Only the first `sent` bytes go (CALL_HEAD) to a daemon that knows it: the rest is zeros, or
 * bytes the option does not read. Returns the status (>= 0 or -errno), or BROKEN with errno set when
 * there was no answer to give (the status -1 is the umh's -EPERM, so it cannot mean that).
 */
static int call(int fd, int is_set, int cmd, const void *in, uint32_t len, uint32_t sent,
                void *out, uint32_t out_cap, uint32_t *out_len) {
  unsigned char h[MBOX_HEADER];
  memset(h, 0, sizeof h);
  put32(h + 8, len);
  put32(h + 12, (uint32_t)is_set);
  put32(h + 16, (uint32_t)cmd);
  put32(h + 20, (uint32_t)getpid());
  for (int attempt = 0;; attempt++) {
    int type;
    uint32_t body;
    int head = sent < len && !atomic_load(&no_call_head);
    if (send_frame(fd, head ? FRAME_CALL_HEAD : FRAME_CALL, h, sizeof h, in, head ? sent : len) <
            0 ||
        take_welcome(fd) < 0 || recv_head(fd, &type, &body) < 0) {
      errno = EFAULT;
      return BROKEN;
    }
    if (type == FRAME_REPLY && body >= 4) {
      unsigned char st[4];
      if (recv_all(fd, st, 4) < 0) {
        errno = EFAULT;
        return BROKEN;
      }
      int32_t status = (int32_t)get32(st);
      uint32_t n = body - 4;
      uint32_t keep = n < out_cap ? n : out_cap;
      if (recv_all(fd, out, keep) < 0 || skip(fd, n - keep) < 0) {
        errno = EFAULT;
        return BROKEN;
      }
      *out_len = keep;
      return status;
    }
    if (type != FRAME_FAIL) {
      errno = EFAULT;
      return BROKEN;
    }
    char msg[256];
    int kind = recv_fail(fd, body, msg, sizeof msg);
    if (kind < 0) {
      errno = EFAULT;
      return BROKEN;
    }
    if (head && kind == FAIL_DAEMON) {
      /* A daemon from before CALL_HEAD: the whole buffer from now on. */
      atomic_store(&no_call_head, 1);
      attempt--;
      continue;
    }
    if ((kind == FAIL_NOT_LOADED || kind == FAIL_RESTARTING) && attempt < 2) {
      char pid[32];
      int k = control(fd, "load", pid, sizeof pid);
      if (k == -2) {
        errno = EFAULT;
        return BROKEN;
      }
      if (k >= 0) {
        errno = fail_errno(k);
        return BROKEN;
      }
      continue;
    }
    errno = fail_errno(kind);
    return BROKEN;
  }
}

/* ---- the fd table ---- */

static ino_t inode_of(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* True when fd is a hooked socket of this process's making, still the one we made. */
static int ours(int fd) {
  if (fd < 0 || fd >= MAX_FDS || atomic_load(&owner[fd]) == 0) {
    return 0;
  }
  return inode_of(fd) == atomic_load(&inode[fd]);
}

static void forget(int fd) {
  if (fd < 0 || fd >= MAX_FDS || atomic_load(&owner[fd]) == 0) {
    return;
  }
  int sh = atomic_exchange(&shadow[fd], 0);
  if (sh > 0) {
    real_close(sh - 1);
  }
  atomic_store(&welcome_pending[fd], 0);
  atomic_store(&owner[fd], 0);
}

/* The credentials the daemon judges a connection by: SO_PEERCRED's euid and egid, exactly, */
static uint64_t ids_now(void) { return ((uint64_t)geteuid() << 32) | (uint32_t)getegid(); }

/* and SO_PEERGROUPS' groups (hashed: a change of groups alone, under the same uid, is rare). */
static uint32_t groups_now(void) {
  gid_t groups[256];
  int n = getgroups(256, groups);
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) {
    h = (h ^ (uint32_t)groups[i]) * 16777619u;
  }
  return h ^ (uint32_t)(n < 0 ? 0xffffffffu : (uint32_t)n);
}

/* Keeps a copy of an idle connection of this process for the next socket(). */
static void park_conn(int fd, ino_t ino, int access, uint64_t ids, uint32_t groups) {
  int p = fcntl(fd, F_DUPFD_CLOEXEC, PARK_FD_MIN);
  if (p < 0 || p >= MAX_FDS) {
    if (p >= 0) {
      real_close(p);
    }
    return;
  }
  parked_inode[p] = ino;
  parked_access[p] = access;
  parked_ids[p] = ids;
  parked_groups[p] = groups;
  uint64_t none = 0;
  if (!atomic_compare_exchange_strong(&parked, &none,
                                      ((uint64_t)getpid() << 32) | (uint32_t)(p + 1))) {
    real_close(p); /* one is kept already */
  }
}

/* Keeps a closing hooked socket's connection for the next socket(), when nothing else uses it. */
static void park(int fd) {
  if (atomic_load(&owner[fd]) != getpid() || atomic_flag_test_and_set(&busy[fd])) {
    return; /* a child's copy, or a call in flight on another thread: close it as asked */
  }
  /* One whose WELCOME was never read is not idle: let it go. */
  if (!atomic_load(&welcome_pending[fd])) {
    park_conn(fd, atomic_load(&inode[fd]), atomic_load(&access_of[fd]),
              atomic_load(&creds_of[fd]), atomic_load(&groups_of[fd]));
  }
  atomic_flag_clear(&busy[fd]);
}

/*
 * The kept connection as a new fd numbered as socket() would number it, or -1. One kept by the
 * parent of a fork, one the daemon closed meanwhile, or one for other credentials is let go.
 */
static int unpark(int *access, uint64_t ids, uint32_t groups) {
  uint64_t v = atomic_exchange(&parked, 0);
  if (v == 0) {
    return -1;
  }
  int p = (int)(uint32_t)v - 1;
  if (p < 0 || p >= MAX_FDS || inode_of(p) != parked_inode[p]) {
    return -1; /* the number was closed and reused behind our back: not ours to touch */
  }
  char c;
  int idle = (pid_t)(v >> 32) == getpid() && parked_ids[p] == ids &&
             parked_groups[p] == groups && recv(p, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
             errno == EAGAIN;
  if (!idle) {
    real_close(p);
    return -1;
  }
  int fd = fcntl(p, F_DUPFD_CLOEXEC, 0);
  real_close(p);
  if (fd >= 0 && fd < MAX_FDS) {
    atomic_store(&welcome_pending[fd], 0); /* a kept connection has read its WELCOME */
  }
  *access = parked_access[p];
  return fd;
}

/*
 * Runs one CALL for a hooked fd: on its own connection when this process made it and no other
 * thread is using it, else on a connection made for this call alone. Returns as call() does.
 */
static int forward(int fd, int is_set, int cmd, const void *in, uint32_t len, uint32_t sent,
                   void *out, uint32_t out_cap, uint32_t *out_len) {
  int own = atomic_load(&owner[fd]) == getpid() && !atomic_flag_test_and_set(&busy[fd]);
  int conn = fd;
  if (!own) {
    const char *why;
    char path[PATH_MAX];
    conn = open_connection(&why, path, sizeof path, NULL);
    if (conn < 0) {
      say("the daemon on ", socket_path(path, sizeof path), " is gone: ", why);
      errno = EFAULT;
      return BROKEN;
    }
  }
  int rc = call(conn, is_set, cmd, in, len, sent, out, out_cap, out_len);
  int e = errno;
  if (own) {
    atomic_flag_clear(&busy[fd]);
  } else {
    real_close(conn);
  }
  errno = e;
  return rc;
}

/* The real raw socket behind a hooked fd, for options that are the kernel's business. */
static int shadow_of(int fd) {
  int sh = atomic_load(&shadow[fd]);
  if (sh > 0) {
    return sh - 1;
  }
  int s = real_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (s < 0) {
    return -1;
  }
  int none = 0;
  if (!atomic_compare_exchange_strong(&shadow[fd], &none, s + 1)) {
    real_close(s);
    return none - 1;
  }
  return s;
}

/* ---- the wrapped calls ---- */

HOOK_EXPORT int socket(int domain, int type, int protocol) {
  RESOLVE(socket);
  int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (domain != AF_INET || base != SOCK_RAW || protocol != IPPROTO_RAW) {
    return real_socket(domain, type, protocol);
  }
  RESOLVE(close);
  RESOLVE(setsockopt);
  char path[PATH_MAX];
  const char *why = NULL;
  int access = ACCESS_UNKNOWN;
  uint64_t ids = ids_now();
  uint32_t groups = groups_now();
  int saved = errno;
  int fd = unpark(&access, ids, groups);
  int pipelined = 0;
  if (fd < 0 && (access = known_verdict(ids, groups)) == ACCESS_UNKNOWN &&
      surely_granted(socket_path(path, sizeof path))) {
    access = ACCESS_WRITE;
  }
  if (fd < 0 && access != ACCESS_UNKNOWN) {
    fd = open_pipelined(path, sizeof path);
    pipelined = fd >= 0;
  }
  errno = saved;
  if (fd < 0) {
    access = ACCESS_UNKNOWN;
    fd = open_connection(&why, path, sizeof path, &access);
    if (fd >= 0) {
      keep_verdict(access, ids, groups);
    }
  }
  if (fd < 0) {
    errno = unreachable(why, path, sizeof path);
    return -1;
  }
  /* A caller the daemon refuses everything gets EPERM here, where the kernel refuses a
   * non-root raw socket, so iptables says "Permission denied (you must be root)". WELCOME
   * says so; a daemon whose WELCOME does not is asked. */
  if (access == ACCESS_UNKNOWN) {
    char text[64];
    int kind = control(fd, "access", text, sizeof text);
    if (kind == -2) {
      real_close(fd);
      errno = ECONNREFUSED;
      return -1;
    }
    access = kind == FAIL_PERMISSION_DENIED || (kind == -1 && strcmp(text, "none") == 0)
                 ? ACCESS_NONE
                 : ACCESS_READ;
  }
  if (access == ACCESS_NONE) {
    real_close(fd);
    errno = EPERM;
    return -1;
  }
  if (fd >= MAX_FDS) {
    real_close(fd);
    errno = EMFILE;
    return -1;
  }
  if (!(type & SOCK_CLOEXEC)) {
    fcntl(fd, F_SETFD, 0);
  }
  atomic_store(&welcome_pending[fd], pipelined);
  /* SOCK_NONBLOCK is not honoured: each exchange blocks until the daemon answers. */
  atomic_store(&shadow[fd], 0);
  atomic_store(&access_of[fd], access);
  atomic_store(&creds_of[fd], ids);
  atomic_store(&groups_of[fd], groups);
  atomic_store(&inode[fd], inode_of(fd));
  atomic_flag_clear(&busy[fd]);
  atomic_store(&owner[fd], getpid());
  return fd;
}

HOOK_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
  RESOLVE(setsockopt);
  if (!ours(fd)) {
    return real_setsockopt(fd, level, name, val, len);
  }
  if (level != SOL_IP || (name != IPT_SO_SET_REPLACE && name != IPT_SO_SET_ADD_COUNTERS)) {
    int sh = shadow_of(fd);
    return sh < 0 ? -1 : real_setsockopt(sh, level, name, val, len);
  }
  if (len > 0 && val == NULL) {
    errno = EFAULT;
    return -1;
  }
  /* SET_REPLACE answers the old counters, which the kernel writes to repl->counters. */
  void *counters = NULL;
  uint32_t cap = 0;
  if (name == IPT_SO_SET_REPLACE && len >= REPLACE_HEADER) {
    uint32_t num;
    memcpy(&num, (const char *)val + REPLACE_NUM_COUNTERS, 4);
    memcpy(&counters, (const char *)val + REPLACE_COUNTERS_PTR, sizeof counters);
    cap = num <= UINT32_MAX / COUNTER ? num * COUNTER : 0;
  }
  /* Zeros at the end (SET_ADD_COUNTERS after a commit adds none: all of it) need not travel. */
  uint32_t sent = len;
  while (sent > 0 && ((const char *)val)[sent - 1] == 0) {
    sent--;
  }
  if (len - sent < ZEROS_WORTH_CUTTING) {
    sent = len;
  }
  uint32_t got = 0;
  int rc = forward(fd, 1, name, val, len, sent, counters, counters ? cap : 0, &got);
  if (rc < 0) {
    if (rc != BROKEN) {
      errno = -rc;
    }
    return -1;
  }
  return 0;
}

HOOK_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
  RESOLVE(getsockopt);
  if (!ours(fd)) {
    return real_getsockopt(fd, level, name, val, len);
  }
  if (level != SOL_IP || name < IPT_SO_GET_INFO || name > IPT_SO_GET_REVISION_TARGET) {
    int sh = shadow_of(fd);
    return sh < 0 ? -1 : real_getsockopt(sh, level, name, val, len);
  }
  if (len == NULL || (*len > 0 && val == NULL)) {
    errno = EFAULT;
    return -1;
  }
  /* GET_ENTRIES reads only the head of the caller's buffer (name and size): when the length is
   * what the kernel accepts, only the head goes to the daemon, and the whole answer comes back.
   * Any other length goes whole, for the umh to give the kernel's errno. */
  uint32_t sent = *len;
  if (name == IPT_SO_GET_ENTRIES && *len >= GET_ENTRIES_HEAD) {
    uint32_t size;
    memcpy(&size, (const char *)val + GET_ENTRIES_SIZE, 4);
    if ((uint64_t)*len == (uint64_t)GET_ENTRIES_HEAD + size) {
      sent = GET_ENTRIES_HEAD;
    }
  }
  uint32_t got = 0;
  int rc = forward(fd, 0, name, val, *len, sent, val, *len, &got);
  if (rc < 0) {
    if (rc != BROKEN) {
      errno = -rc;
    }
    return -1;
  }
  /* ip_tables leaves *optlen as the caller set it. */
  return 0;
}

HOOK_EXPORT int close(int fd) {
  RESOLVE(close);
  if (ours(fd)) {
    int saved = errno;
    park(fd);
    errno = saved;
  }
  forget(fd);
  return real_close(fd);
}

/* ---- /proc/net/ip_tables_names from the module ---- */

static int is_names_path(const char *path) { return path && strcmp(path, NAMES_PATH) == 0; }

/* A memory file holding the module's table names, one per line; -1 with errno on failure. */
static int names_file(void) {
  char pathbuf[PATH_MAX];
  const char *why = NULL;
  int access = ACCESS_UNKNOWN;
  uint64_t ids = ids_now();
  uint32_t groups = groups_now();
  int saved = errno;
  int fd = unpark(&access, ids, groups);
  if (fd < 0 && ((access = known_verdict(ids, groups)) != ACCESS_UNKNOWN ||
                 surely_granted(socket_path(pathbuf, sizeof pathbuf)))) {
    access = access == ACCESS_UNKNOWN ? ACCESS_WRITE : access;
    fd = open_pipelined(pathbuf, sizeof pathbuf);
  }
  errno = saved;
  if (fd < 0) {
    access = ACCESS_UNKNOWN;
    fd = open_connection(&why, pathbuf, sizeof pathbuf, &access);
  }
  if (fd < 0) {
    errno = unreachable(why, pathbuf, sizeof pathbuf);
    return -1;
  }
  char buf[8192];
  memset(buf, 0, sizeof buf);
  uint32_t got = 0;
  /* the buffer is all zeros: only its length goes (CALL_HEAD) */
  int rc = call(fd, 0, BPF_SO_GET_TABLE_NAMES, buf, sizeof buf, 0, buf, sizeof buf, &got);
  int e = errno;
  /* iptables-save's next socket() takes this connection instead of making its own. */
  if (rc != BROKEN) {
    keep_verdict(access, ids, groups);
    park_conn(fd, inode_of(fd), access, ids, groups);
  }
  real_close(fd);
  if (rc < 0) {
    errno = rc == BROKEN ? e : -rc;
    return -1;
  }
  size_t n = strnlen(buf, got);
  int mem = memfd_create("ip_tables_names", MFD_CLOEXEC);
  if (mem < 0) {
    return -1;
  }
  if (write(mem, buf, n) != (ssize_t)n || lseek(mem, 0, SEEK_SET) < 0) {
    e = errno;
    real_close(mem);
    errno = e;
    return -1;
  }
  return mem;
}

static int open_names(int flags) {
  if ((flags & O_ACCMODE) != O_RDONLY) {
    errno = EACCES;
    return -1;
  }
  int fd = names_file();
  if (fd >= 0 && !(flags & O_CLOEXEC)) {
    fcntl(fd, F_SETFD, 0);
  }
  return fd;
}

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

HOOK_EXPORT int open(const char *path, int flags, ...) {
  RESOLVE(open);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return is_names_path(path) ? open_names(flags) : real_open(path, flags, mode);
}

HOOK_EXPORT int open64(const char *path, int flags, ...) {
  RESOLVE(open64);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return is_names_path(path) ? open_names(flags) : real_open64(path, flags, mode);
}

HOOK_EXPORT int openat(int dirfd, const char *path, int flags, ...) {
  RESOLVE(openat);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return is_names_path(path) ? open_names(flags) : real_openat(dirfd, path, flags, mode);
}

HOOK_EXPORT int openat64(int dirfd, const char *path, int flags, ...) {
  RESOLVE(openat64);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return is_names_path(path) ? open_names(flags) : real_openat64(dirfd, path, flags, mode);
}

static FILE *fopen_names(const char *mode) {
  if (mode[0] != 'r' || strchr(mode, '+')) {
    errno = EACCES;
    return NULL;
  }
  int fd = names_file();
  if (fd < 0) {
    return NULL;
  }
  if (!strchr(mode, 'e')) {
    fcntl(fd, F_SETFD, 0);
  }
  FILE *f = fdopen(fd, "r");
  if (!f) {
    int e = errno;
    real_close(fd);
    errno = e;
  }
  return f;
}

HOOK_EXPORT FILE *fopen(const char *path, const char *mode) {
  RESOLVE(fopen);
  return is_names_path(path) ? fopen_names(mode) : real_fopen(path, mode);
}

HOOK_EXPORT FILE *fopen64(const char *path, const char *mode) {
  RESOLVE(fopen64);
  return is_names_path(path) ? fopen_names(mode) : real_fopen64(path, mode);
}
