/*
 * Drives the sockopt hook from many threads (on one socket, and on sockets of their own) and from
 * a forked child at once, as no iptables binary does, to show the hook keeps every exchange
 * whole: each GET_INFO must come back as the filter
 * table's. Also checks that an option that is not iptables' goes to the kernel, and that a closed
 * hooked fd number reused by a file is the file's again. Prints "ok N" and exits 0, or says what
 * broke and exits 1. With the argument "once": one GET_INFO, and "ok" or its error's text.
 * With "reuse UID": what becomes of the connection of a closed socket (kept for this process's
 * next socket, never a forked child's, never for other credentials), one line per step.
 * With "entries": GET_ENTRIES of the filter table with the right length and with wrong ones, one
 * line each (what the kernel answers, to be compared with it), on a first socket and on sockets
 * opened while it stays open (the hook sends their HELLO with their first call).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { GET_INFO = 64, GET_ENTRIES = 65, INFO_SIZE = 84, THREADS = 8, ROUNDS = 200 };

static int fd;
static atomic_int failures;
static atomic_int calls;

static int get_info(int s, const char *table) {
  unsigned char info[INFO_SIZE];
  memset(info, 0, sizeof info);
  strncpy((char *)info, table, 32);
  socklen_t len = sizeof info;
  if (getsockopt(s, SOL_IP, GET_INFO, info, &len) != 0) {
    return -errno;
  }
  unsigned valid;
  memcpy(&valid, info + 32, 4);
  atomic_fetch_add(&calls, 1);
  /* filter: LOCAL_IN, FORWARD, LOCAL_OUT */
  return strcmp((char *)info, table) == 0 && valid == 0x0e && len == INFO_SIZE ? 0 : -EPROTO;
}

/* Half the threads use the one socket, the others sockets of their own, opened anew every 50
 * calls while the first stays open: each gets a connection of its own (a parked one when a
 * closed socket left one), and a busy one sends a thread to a connection for its call alone. */
static void *worker(void *arg) {
  int own = (int)(intptr_t)arg % 2;
  int s = fd;
  for (int i = 0; i < ROUNDS; i++) {
    if (own && i % 50 == 0) {
      if (i > 0) {
        close(s);
      }
      s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
      if (s < 0) {
        fprintf(stderr, "thread: socket: %s\n", strerror(errno));
        atomic_fetch_add(&failures, 1);
        return NULL;
      }
    }
    int rc = get_info(s, "filter");
    if (rc != 0) {
      fprintf(stderr, "thread: GET_INFO filter gave %s\n", strerror(-rc));
      atomic_fetch_add(&failures, 1);
    }
  }
  if (own) {
    close(s);
  }
  return NULL;
}

static ino_t inode_of(int s) {
  struct stat st;
  return fstat(s, &st) == 0 ? st.st_ino : 0;
}

/* Opens a hooked socket, checks one GET_INFO on it, closes it; its inode, or 0 on failure. */
static ino_t open_use_close(void) {
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (s < 0) {
    return 0;
  }
  ino_t ino = get_info(s, "filter") == 0 ? inode_of(s) : 0;
  close(s);
  return ino;
}

static int reuse(uid_t uid) {
  ino_t first = open_use_close();
  ino_t second = open_use_close();
  if (first == 0 || second == 0) {
    printf("GET_INFO failed\n");
    return 1;
  }
  printf("%s\n", first == second ? "reused" : "new connection");
  pid_t child = fork();
  if (child == 0) {
    ino_t mine = open_use_close();
    _exit(mine == 0 ? 1 : mine == second ? 2 : 0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  printf("%s\n", code == 0 ? "child: its own" : code == 2 ? "child: the parent's" : "child: failed");
  printf("%s\n", open_use_close() == second ? "parent: reused" : "parent: not reused");
  if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
      setresuid(uid, uid, uid) != 0) {
    perror("dropping privileges");
    return 1;
  }
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  printf("as uid %u: %s\n", (unsigned)uid, s < 0 ? strerror(errno) : "a socket");
  /* root's grant is not this uid's, and a refusal is never kept as a grant: asked again */
  s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  printf("again: %s\n", s < 0 ? strerror(errno) : "a socket");
  return 0;
}

/* GET_ENTRIES of `table` with a buffer of `len` bytes whose size field says `size`. */
static const char *get_entries(int s, const char *table, unsigned size, socklen_t len,
                               unsigned table_size) {
  static char line[64];
  unsigned char *buf = calloc(1, len < 40 ? 40 : len);
  strncpy((char *)buf, table, 32);
  memcpy(buf + 32, &size, 4);
  socklen_t l = len;
  int rc = getsockopt(s, SOL_IP, GET_ENTRIES, buf, &l);
  int e = errno;
  /* the first entry's target_offset and next_offset: the table came back */
  unsigned short offs[2] = {0, 0};
  if (rc == 0 && len >= 40 + 4 + 84 + 4) {
    memcpy(offs, buf + 40 + 88, 4);
  }
  free(buf);
  /* the length left as it was, relative to the table's (the kernel's and ours differ) */
  snprintf(line, sizeof line, "%s len size%+d%s", rc == 0 ? "ok" : strerror(e),
           (int)l - (int)table_size,
           rc == 0 && offs[0] && offs[1] >= offs[0] ? " entries" : "");
  return line;
}

static int entries(void) {
  int first = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  unsigned char info[INFO_SIZE];
  memset(info, 0, sizeof info);
  strcpy((char *)info, "filter");
  socklen_t len = sizeof info;
  if (first < 0 || getsockopt(first, SOL_IP, GET_INFO, info, &len) != 0) {
    perror("GET_INFO");
    return 1;
  }
  unsigned size;
  memcpy(&size, info + 80, 4);
  /* a socket opened and closed unused, then one used: nothing of the first is left over */
  int unused = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  close(unused);
  for (int round = 0; round < 2; round++) {
    int s = round == 0 ? first : socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (s < 0) {
      perror("socket");
      return 1;
    }
    printf("right: %s\n", get_entries(s, "filter", size, 40 + size, size));
    printf("one byte more: %s\n", get_entries(s, "filter", size, 41 + size, size));
    printf("one byte less: %s\n", get_entries(s, "filter", size, 39 + size, size));
    printf("short head: %s\n", get_entries(s, "filter", size, 39, 0));
    printf("head alone: %s\n", get_entries(s, "filter", 0, 40, 0));
    printf("other size: %s\n", get_entries(s, "filter", size - 8, 32 + size, size));
    printf("no such table: %s\n", get_entries(s, "nosuch", size, 40 + size, size));
    if (s != first) {
      close(s);
    }
  }
  close(first);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "entries") == 0) {
    return entries();
  }
  if (argc > 2 && strcmp(argv[1], "reuse") == 0) {
    return reuse((uid_t)atoi(argv[2]));
  }
  fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  if (argc > 1 && strcmp(argv[1], "once") == 0) {
    /* One GET_INFO, its outcome printed: "ok" or the errno's text. */
    int rc = get_info(fd, "filter");
    printf("%s\n", rc == 0 ? "ok" : strerror(-rc));
    return rc == 0 ? 0 : 1;
  }
  pid_t child = fork();
  if (child == 0) {
    /* The child shares the parent's descriptor: it must still get whole answers. */
    for (int i = 0; i < ROUNDS; i++) {
      if (get_info(fd, "filter") != 0) {
        fprintf(stderr, "child: GET_INFO failed\n");
        _exit(1);
      }
    }
    _exit(0);
  }
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "the forked child failed\n");
    return 1;
  }
  if (get_info(fd, "nosuch") != -ENOENT) {
    fprintf(stderr, "GET_INFO of a missing table did not fail with ENOENT\n");
    return 1;
  }
  int on = 1;
  if (setsockopt(fd, SOL_IP, IP_HDRINCL, &on, sizeof on) != 0) {
    fprintf(stderr, "IP_HDRINCL on the iptables socket: %s\n", strerror(errno));
    return 1;
  }
  int number = fd;
  close(fd);
  int file = open("/dev/null", O_RDONLY);
  if (file == number) {
    unsigned char info[INFO_SIZE] = "filter";
    socklen_t len = sizeof info;
    if (getsockopt(file, SOL_IP, GET_INFO, info, &len) == 0 || errno != ENOTSOCK) {
      fprintf(stderr, "a closed hooked fd number still went to the daemon\n");
      return 1;
    }
  }
  if (atomic_load(&failures) != 0) {
    return 1;
  }
  printf("ok %d\n", atomic_load(&calls) + ROUNDS);
  return 0;
}
