/*
 * The C reference for test/bench/phy-codec.ts: a textbook SIR codec, one byte at a time
 * (a table CRC-16, escape on the way out, a three-state receiver on the way in), the way an
 * embedded or kernel stack writes it. Compiled on the spot with gcc -O2 by the benchmark and
 * fed the same frames, so the ratio compares two codecs on one machine in one run.
 *
 * Usage: sir-ref FRAMES_FILE FRAME_LEN ROUND_TRIPS
 * For each line read on stdin: a warm-up of 2000 round trips, then a timed round of ROUND_TRIPS
 * (the count the JavaScript side times per round), and one line out: "<MB/s of frame bytes>".
 * One process serves every round, so the benchmark alternates its rounds with ours without
 * starting a process (a fork of the Node process, which slows it for a while) each time. Time
 * is the process's CPU time, as the JavaScript side measures it, so a busy machine slows
 * neither side's figure much.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint16_t T[256];

static void build_table(void) {
  for (int n = 0; n < 256; n++) {
    uint16_t c = (uint16_t)n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (uint16_t)((c >> 1) ^ 0x8408) : (uint16_t)(c >> 1);
    T[n] = c;
  }
}

static size_t put(uint8_t *w, size_t o, uint8_t b) {
  if (b == 0xC0 || b == 0xC1 || b == 0x7D) { w[o++] = 0x7D; w[o++] = b ^ 0x20; } else w[o++] = b;
  return o;
}

static size_t wrap(const uint8_t *f, size_t n, uint8_t *w) {
  size_t o = 0;
  uint16_t fcs = 0xFFFF;
  w[o++] = 0xC0;
  for (size_t i = 0; i < n; i++) { fcs = (uint16_t)((fcs >> 8) ^ T[(fcs ^ f[i]) & 0xFF]); o = put(w, o, f[i]); }
  fcs ^= 0xFFFF;
  o = put(w, o, (uint8_t)(fcs & 0xFF));
  o = put(w, o, (uint8_t)(fcs >> 8));
  w[o++] = 0xC1;
  return o;
}

/* Returns the length of the good frame received (FCS removed), or 0. */
static size_t unwrap(const uint8_t *w, size_t n, uint8_t *rx, size_t cap) {
  int state = 0; size_t len = 0, good = 0; uint16_t reg = 0xFFFF;
  for (size_t i = 0; i < n; i++) {
    uint8_t b = w[i];
    if (b == 0xC0) { state = 1; len = 0; reg = 0xFFFF; }
    else if (state == 0) continue;
    else if (b == 0xC1) { if (len >= 4 && reg == 0xF0B8) good = len - 2; state = 0; }
    else if (b == 0x7D) state = 2;
    else {
      uint8_t d = state == 2 ? b ^ 0x20 : b;
      state = 1;
      if (len < cap) { rx[len++] = d; reg = (uint16_t)((reg >> 8) ^ T[(reg ^ d) & 0xFF]); }
    }
  }
  return good;
}

static double now(void) {
  struct timespec ts; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: sir-ref FRAMES_FILE FRAME_LEN ROUND_TRIPS\n"); return 2; }
  size_t flen = (size_t)atol(argv[2]);
  size_t trips = (size_t)atol(argv[3]);
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) { perror(argv[1]); return 2; }
  uint8_t *all = malloc(64 * flen);
  size_t got = fread(all, 1, 64 * flen, fp);
  fclose(fp);
  size_t count = got / flen;
  if (count == 0) { fprintf(stderr, "no frames\n"); return 2; }
  build_table();
  uint8_t *w = malloc(2 * (flen + 2) + 2), *rx = malloc(flen + 2);
  volatile size_t sink = 0;
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    for (size_t i = 0; i < 2000; i++) { const uint8_t *f = all + (i % count) * flen; sink += unwrap(w, wrap(f, flen, w), rx, flen + 2); }
    double bytes = 0, start = now();
    for (size_t k = 0; k < trips; k++) {
      const uint8_t *f = all + (k % count) * flen;
      size_t r = unwrap(w, wrap(f, flen, w), rx, flen + 2);
      if (r != flen) { fprintf(stderr, "round trip failed\n"); return 1; }
      bytes += (double)r;
    }
    printf("%.1f\n", bytes / 1e6 / (now() - start));
    fflush(stdout);
  }
  return sink == 0xFFFFFFFF;
}
