/*
 * zeroing-step: how long one step of the per-CPU zeroing loop takes on this machine.
 *
 * pcpu_alloc ends by zeroing the new object in every possible CPU's unit: it walks the possible
 * CPU mask (a next-set-bit search per CPU, out of line as in a kernel built for many CPUs),
 * computes that CPU's unit address and calls memset. The native measurements all ran with 8
 * possible CPUs, so they cannot tell this per-CPU step from a call's fixed path; this program
 * times the loop alone for several CPU counts and reports the slope (ns per extra CPU), which
 * config/code/kernel-code.json5 takes as `memsetCall` (reference cycles = ns x clock). Beyond
 * ~64 units the rows also show what the time model does not price (config/README.md).
 *
 * Our own code, modelled on the loop's shape, not the kernel's source. Units are UNIT bytes apart,
 * as a chunk's units are (the native runs' unit size), and objects are laid out one after the
 * other in each unit, as sequential allocations are.
 *
 * Two tables. "warm": many passes over the units (objects wrap around in each unit), so the lines
 * mostly stay in cache and the time is the loop's own: its slope is the per-CPU step. "cold": one
 * pass over fresh units after pushing them out of every cache, as a new chunk is filled: every
 * line is a first write, which checks the rest of the zeroing model (store buffer, write
 * bandwidth) for 8-256 units and 4-1024 B.
 *
 *   gcc -O2 -o /tmp/zeroing-step scripts/zeroing-step.c && /tmp/zeroing-step
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBITS 8192
#define UNIT (256 * 1024)

static unsigned long mask[NBITS / 64];

__attribute__((noinline)) static unsigned long next_set_bit(const unsigned long *addr, unsigned long nbits, unsigned long start) {
  if (start >= nbits) return nbits;
  unsigned long word = addr[start / 64] & (~0UL << (start & 63));
  start &= ~63UL;
  while (!word) {
    start += 64;
    if (start >= nbits) return nbits;
    word = addr[start / 64];
  }
  unsigned long bit = start + (unsigned long)__builtin_ctzl(word);
  return bit < nbits ? bit : nbits;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* `count` zeroings of `size` bytes in each of `n` units, objects one after the other in each
 * unit (back to the start of the unit when `wrap` and the unit is full); ns per zeroing */
static double zero_objects(char *base, const long *unit_off, unsigned long n, size_t size, long count, int wrap) {
  size_t off = 0;
  double t0 = now();
  for (long i = 0; i < count; i++) {
    for (unsigned long cpu = next_set_bit(mask, n, 0); cpu < n; cpu = next_set_bit(mask, n, cpu + 1))
      memset(base + unit_off[cpu] + off, 0, size);
    off += size;
    if (wrap && off + size > UNIT) off = 0;
  }
  return (now() - t0) / (double)count * 1e9;
}

/* warm: fastest of 7 runs of `count` zeroings, wrapping in each unit */
static double time_loop(char *base, const long *unit_off, unsigned long n, size_t size, long count) {
  double best = 1e30;
  for (int rep = 0; rep < 7; rep++) {
    double dt = zero_objects(base, unit_off, n, size, count, 1);
    if (dt < best) best = dt;
  }
  return best;
}

/* cold: fastest of 5 single passes (UNIT / size zeroings) over units pushed out of cache first */
static double time_cold(char *base, const long *unit_off, unsigned long n, size_t size, char *evict, size_t evict_bytes) {
  double best = 1e30;
  for (int rep = 0; rep < 5; rep++) {
    memset(evict, rep, evict_bytes);
    double dt = zero_objects(base, unit_off, n, size, (long)(UNIT / size), 0);
    if (dt < best) best = dt;
  }
  return best;
}

static void set_mask(unsigned long n) {
  memset(mask, 0, sizeof mask);
  for (unsigned long i = 0; i < n; i++) mask[i / 64] |= 1UL << (i % 64);
}

int main(void) {
  const unsigned long counts[] = {8, 16, 32, 64, 96, 128, 192, 256};
  const size_t sizes[] = {4, 16, 64};
  const unsigned long max = 256;
  char *base = aligned_alloc(4096, (size_t)max * UNIT);
  long *unit_off = malloc(sizeof(long) * max);
  if (!base || !unit_off) return 1;
  memset(base, 1, (size_t)max * UNIT); /* pre-fault every page */
  for (unsigned long i = 0; i < max; i++) unit_off[i] = (long)(i * UNIT);
  printf("warm: size_B cpus ns_per_zeroing ns_per_cpu_slope_from_8\n");
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    double at8 = 0;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
      unsigned long n = counts[c];
      set_mask(n);
      double ns = time_loop(base, unit_off, n, sizes[s], (long)(4000000 / n));
      if (n == 8) at8 = ns;
      if (n == 8) printf("%zu %lu %.2f -\n", sizes[s], n, ns);
      else printf("%zu %lu %.2f %.2f\n", sizes[s], n, ns, (ns - at8) / (double)(n - 8));
    }
  }
  const size_t evict_bytes = 256UL << 20;
  char *evict = malloc(evict_bytes);
  if (!evict) return 1;
  const size_t cold_sizes[] = {4, 16, 64, 256, 1024};
  const unsigned long cold_counts[] = {8, 32, 64, 128, 256};
  printf("cold: size_B cpus ns_per_zeroing\n");
  for (size_t s = 0; s < sizeof cold_sizes / sizeof cold_sizes[0]; s++)
    for (size_t c = 0; c < sizeof cold_counts / sizeof cold_counts[0]; c++) {
      set_mask(cold_counts[c]);
      printf("%zu %lu %.1f\n", cold_sizes[s], cold_counts[c], time_cold(base, unit_off, cold_counts[c], cold_sizes[s], evict, evict_bytes));
    }
  return 0;
}
