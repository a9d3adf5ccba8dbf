// StatsD load generator for the benchmark: sends a bounded number of lines to 127.0.0.1 and stops.
//
//   loadgen udp PORT COUNT RATE PER_DGRAM KEYS TYPE PREFIX
//   loadgen tcp PORT COUNT KEYS TYPE PREFIX
//
// COUNT lines are sent in all. Line i names key PREFIX<i % KEYS>; TYPE is `c` (value 1, so the
// flushed sum of a key equals the lines sent for it) or `ms` (values cycling over 0..999).
// UDP: PER_DGRAM lines per datagram, each line ending in '\n', sent with sendmmsg in small
// batches paced to RATE lines/s (0 = as fast as possible). A Node sender cannot outrun a Node
// server on two cores; one C thread with sendmmsg can.
// TCP: one connection, lines written as fast as the socket takes them; then the write side is
// shut and the program waits for the server to close, so the time includes the server reading
// everything it was sent.
// Prints one JSON object on stdout: what was sent and when (CLOCK_REALTIME, µs).

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32          /* datagrams per sendmmsg call */
#define MAX_DGRAM 2048    /* bytes; 20 lines of `prefix123456:999|ms\n` fit easily */
#define MAX_POOL 1000000  /* prebuilt datagrams at most */

static double now_s(int clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long realtime_us(void) { return (long long)(now_s(CLOCK_REALTIME) * 1e6); }

static long gcd(long a, long b) { return b == 0 ? a : gcd(b, a % b); }

/* Writes line `i` into out; returns its length. */
static int format_line(char *out, long i, long keys, const char *type, const char *prefix) {
  long key = i % keys;
  long value = strcmp(type, "c") == 0 ? 1 : (i * 37) % 1000;
  return sprintf(out, "%s%ld:%ld|%s\n", prefix, key, value, type);
}

static int connect_to(int type, int port) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) { perror("socket"); exit(2); }
  int size = 8 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); exit(2); }
  return fd;
}

static int run_udp(int port, long count, double rate, int per_dgram, long keys, const char *type, const char *prefix) {
  // The pool holds lcm(keys, per_dgram) lines, so cycling through it sends every key equally often.
  if (per_dgram < 1 || per_dgram > 60 || keys < 1 || count < 1) { fprintf(stderr, "bad arguments\n"); return 2; }
  long pool_lines = keys / gcd(keys, per_dgram) * per_dgram;
  long pool_size = pool_lines / per_dgram;
  if (pool_size > MAX_POOL) { fprintf(stderr, "too many distinct datagrams\n"); return 2; }
  char *data = malloc((size_t)pool_size * MAX_DGRAM);
  struct iovec *iov = malloc(sizeof(struct iovec) * (size_t)pool_size);
  for (long d = 0; d < pool_size; d++) {
    char *p = data + d * MAX_DGRAM;
    int len = 0;
    for (int l = 0; l < per_dgram; l++) len += format_line(p + len, d * per_dgram + l, keys, type, prefix);
    iov[d].iov_base = p;
    iov[d].iov_len = (size_t)len;
  }

  int fd = connect_to(SOCK_DGRAM, port);
  long dgrams = (count + per_dgram - 1) / per_dgram;
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  long sent = 0, errors = 0, next = 0;
  long long start_us = realtime_us();
  double start = now_s(CLOCK_MONOTONIC);
  while (sent < dgrams) {
    // Pacing: batch k may leave once k·BATCH·per_dgram lines are due at RATE.
    if (rate > 0) {
      double due = start + (double)sent * per_dgram / rate;
      double wait = due - now_s(CLOCK_MONOTONIC);
      if (wait > 0.0002) {
        struct timespec ts = { 0, (long)(wait * 1e9) };
        nanosleep(&ts, NULL);
      }
      while (now_s(CLOCK_MONOTONIC) < due) { /* spin the last few µs */ }
    }
    int n = dgrams - sent < BATCH ? (int)(dgrams - sent) : BATCH;
    for (int k = 0; k < n; k++) {
      msgs[k].msg_hdr.msg_iov = &iov[next];
      msgs[k].msg_hdr.msg_iovlen = 1;
      if (++next == pool_size) next = 0;
    }
    int done = 0;
    while (done < n) {
      int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
      if (r < 0) {
        // ECONNREFUSED (nothing listening yet) or ENOBUFS: count it as sent-and-lost, move on.
        errors++;
        break;
      }
      done += r;
    }
    sent += n;
  }
  double elapsed = now_s(CLOCK_MONOTONIC) - start;
  long long end_us = realtime_us();
  long lines = dgrams * per_dgram;
  printf("{\"mode\":\"udp\",\"lines\":%ld,\"datagrams\":%ld,\"errors\":%ld,\"elapsed\":%.6f,\"rate\":%.1f,"
         "\"startUs\":%lld,\"endUs\":%lld}\n",
         lines, dgrams, errors, elapsed, lines / elapsed, start_us, end_us);
  close(fd);
  return 0;
}

static int run_tcp(int port, long count, long keys, const char *type, const char *prefix) {
  // One buffer of whole lines (~1 MiB) written over and over; the last write is cut at a line end.
  if (keys < 1 || count < 1) { fprintf(stderr, "bad arguments\n"); return 2; }
  enum { BUF = 1 << 20 };
  char *buf = malloc(BUF + 64);
  int *ends = malloc(sizeof(int) * (BUF / 4));
  int nlines = 0, len = 0;
  while (len < BUF - 64 && nlines < count) {
    len += format_line(buf + len, nlines, keys, type, prefix);
    ends[nlines++] = len;
  }
  int fd = connect_to(SOCK_STREAM, port);
  long long start_us = realtime_us();
  double start = now_s(CLOCK_MONOTONIC);
  long left = count;
  while (left > 0) {
    int take = left < nlines ? (int)left : nlines;
    int bytes = ends[take - 1], off = 0;
    while (off < bytes) {
      ssize_t w = write(fd, buf + off, (size_t)(bytes - off));
      if (w < 0) { if (errno == EINTR) continue; perror("write"); return 2; }
      off += (int)w;
    }
    left -= take;
  }
  shutdown(fd, SHUT_WR);
  char sink[4096];
  while (read(fd, sink, sizeof sink) > 0) { /* the server closes once it has read everything */ }
  double elapsed = now_s(CLOCK_MONOTONIC) - start;
  long long end_us = realtime_us();
  printf("{\"mode\":\"tcp\",\"lines\":%ld,\"elapsed\":%.6f,\"rate\":%.1f,\"startUs\":%lld,\"endUs\":%lld}\n",
         count, elapsed, count / elapsed, start_us, end_us);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 9 && strcmp(argv[1], "udp") == 0) {
    return run_udp(atoi(argv[2]), atol(argv[3]), atof(argv[4]), atoi(argv[5]), atol(argv[6]), argv[7], argv[8]);
  }
  if (argc == 7 && strcmp(argv[1], "tcp") == 0) {
    return run_tcp(atoi(argv[2]), atol(argv[3]), atol(argv[4]), argv[5], argv[6]);
  }
  fprintf(stderr,
          "usage: loadgen udp PORT COUNT RATE PER_DGRAM KEYS c|ms PREFIX\n"
          "       loadgen tcp PORT COUNT KEYS c|ms PREFIX\n");
  return 2;
}
