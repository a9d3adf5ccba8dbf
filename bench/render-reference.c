/*
 * The physical reference for rendering a timer flush: what C's snprintf costs for the same
 * lines statsite-ts's stream sink writes, per one-sample timer series with the default fields
 * (sum, sum_sq, mean, lower, upper, count, stdev, median, p50, p95, p99, rate, sample_rate:
 * 13 lines of `timers.sN.FIELD|VALUE|TS\n`), into a 4 MiB buffer written over when full, as
 * statsite's stream sink formats each line with its own printf.
 *
 *   render-reference SERIES
 *
 * Prints {"series":N,"nsPerSeries":X,"bytes":B} (the best of three passes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUF_BYTES (4 << 20)
#define LINE_MAX_BYTES 512

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long series = argc > 1 ? atol(argv[1]) : 1000000;
  const long long timestamp = 1700000000;
  const double interval = 10.0; /* statsite-ts's default flush interval, which rates divide by */
  char *buf = malloc(BUF_BYTES);
  char key[64];
  double best = 1e300;
  unsigned long long bytes = 0, checksum = 0;
  for (int pass = 0; pass < 3; pass++) {
    size_t used = 0;
    bytes = 0;
    double t0 = now_ns();
    for (long i = 0; i < series; i++) {
      double v = (double)(i % 1000); /* the load generator's timer values cycle over 0-999 */
      snprintf(key, sizeof key, "timers.s%ld", i);
      if (used + 13 * LINE_MAX_BYTES > BUF_BYTES) {
        checksum += (unsigned char)buf[used / 2];
        bytes += used;
        used = 0;
      }
      char *p = buf + used;
      size_t room = BUF_BYTES - used;
      int n = 0;
      n += snprintf(p + n, room - n, "%s.sum|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.sum_sq|%f|%lld\n", key, v * v, timestamp);
      n += snprintf(p + n, room - n, "%s.mean|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.lower|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.upper|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.count|%llu|%lld\n", key, 1ULL, timestamp);
      n += snprintf(p + n, room - n, "%s.stdev|%f|%lld\n", key, 0.0, timestamp);
      n += snprintf(p + n, room - n, "%s.median|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.p50|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.p95|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.p99|%f|%lld\n", key, v, timestamp);
      n += snprintf(p + n, room - n, "%s.rate|%f|%lld\n", key, v / interval, timestamp);
      n += snprintf(p + n, room - n, "%s.sample_rate|%f|%lld\n", key, 1.0 / interval, timestamp);
      used += n;
    }
    bytes += used;
    double ns = (now_ns() - t0) / series;
    if (ns < best) best = ns;
  }
  printf("{\"series\":%ld,\"nsPerSeries\":%.1f,\"bytes\":%llu,\"checksum\":%llu}\n", series, best, bytes, checksum);
  free(buf);
  return 0;
}
