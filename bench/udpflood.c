/*
 * UDP sender for bench/enforce-ufw.sh: raw IPv4 datagrams (IP_HDRINCL) with sendmmsg, fast enough
 * that the receiver's path, not this loop, is the bottleneck.
 *   udpflood SECONDS SRC DST DPORT FLOWS
 * FLOWS 1: one flow, SRC:4000 -> DST:DPORT. FLOWS 0: every datagram a flow never sent before
 * (source address SRC + (i >> 16) in the host part's wrap, source port i & 0xffff, from 1024).
 * FLOWS N > 1: N flows in turn. Prints the datagrams sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 18
#define LEN (sizeof(struct iphdr) + sizeof(struct udphdr) + PAYLOAD)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* Flow i: its source address (host order) and port. */
static void flow(uint64_t i, uint32_t src, uint32_t *saddr, uint16_t *sport) {
  if (i == UINT64_MAX) {
    *saddr = src;
    *sport = 4000;
    return;
  }
  uint64_t ports = 65536 - 1024;
  *saddr = src + (uint32_t)(i / ports);
  *sport = (uint16_t)(1024 + i % ports);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: udpflood SECONDS SRC DST DPORT FLOWS\n");
    return 2;
  }
  double secs = atof(argv[1]);
  struct in_addr src, dst;
  if (inet_pton(AF_INET, argv[2], &src) != 1 || inet_pton(AF_INET, argv[3], &dst) != 1) {
    fprintf(stderr, "bad address\n");
    return 2;
  }
  uint16_t dport = (uint16_t)atoi(argv[4]);
  uint64_t flows = strtoull(argv[5], NULL, 10);
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (s < 0) {
    perror("socket");
    return 1;
  }
  int sndbuf = 4 << 20;
  setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  static unsigned char pkt[BATCH][LEN];
  struct iovec iov[BATCH];
  struct mmsghdr msg[BATCH];
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst};
  memset(msg, 0, sizeof msg);
  for (int k = 0; k < BATCH; k++) {
    struct iphdr *ip = (struct iphdr *)pkt[k];
    struct udphdr *udp = (struct udphdr *)(pkt[k] + sizeof *ip);
    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = IPPROTO_UDP;
    ip->tot_len = htons(LEN);
    ip->daddr = dst.s_addr;
    udp->dest = htons(dport);
    udp->len = htons(sizeof *udp + PAYLOAD);
    udp->check = 0; /* no checksum: allowed for UDP over IPv4 */
    memset(pkt[k] + sizeof *ip + sizeof *udp, 'x', PAYLOAD);
    iov[k].iov_base = pkt[k];
    iov[k].iov_len = LEN;
    msg[k].msg_hdr.msg_iov = &iov[k];
    msg[k].msg_hdr.msg_iovlen = 1;
    msg[k].msg_hdr.msg_name = &to;
    msg[k].msg_hdr.msg_namelen = sizeof to;
  }
  uint32_t base = ntohl(src.s_addr);
  uint64_t next = 0, sent = 0;
  double end = now() + secs;
  while (now() < end) {
    for (int k = 0; k < BATCH; k++) {
      uint32_t saddr;
      uint16_t sport;
      uint64_t i = flows == 1 ? UINT64_MAX : next++;
      if (flows > 1) {
        i %= flows;
      }
      flow(i, base, &saddr, &sport);
      struct iphdr *ip = (struct iphdr *)pkt[k];
      struct udphdr *udp = (struct udphdr *)(pkt[k] + sizeof *ip);
      ip->saddr = htonl(saddr);
      udp->source = htons(sport);
    }
    int n = sendmmsg(s, msg, BATCH, 0);
    if (n < 0) {
      continue; /* ENOBUFS under pressure: try again */
    }
    sent += (uint64_t)n;
  }
  printf("%llu\n", (unsigned long long)sent);
  close(s);
  return 0;
}
