/* The floor for a umh round trip: a 24-byte request and a 4-byte reply between two processes
 * over two pipes, with no host logic. Prints p50/p99 in ns and the rate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  int req[2], rep[2];
  if (pipe(req) || pipe(rep)) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    close(req[1]);
    close(rep[0]);
    char buf[24];
    int status = 0;
    while (read(req[0], buf, 24) == 24) write(rep[1], &status, 4);
    _exit(0);
  }
  close(req[0]);
  close(rep[1]);
  long *lat = malloc(sizeof(long) * n);
  char msg[24] = {0};
  int status;
  long t0 = now_ns();
  for (int i = 0; i < n; i++) {
    long s = now_ns();
    if (write(req[1], msg, 24) != 24 || read(rep[0], &status, 4) != 4) return 2;
    lat[i] = now_ns() - s;
  }
  long total = now_ns() - t0;
  close(req[1]);
  waitpid(pid, NULL, 0);
  qsort(lat, n, sizeof(long), cmp);
  printf("%ld %ld %.0f\n", lat[n / 2], lat[(long)(n * 0.99)], n / (total / 1e9));
  return 0;
}
