/*
 * bench-cpu: an integer workload in the spirit of CoreMark, written for tsxen.
 *
 * Six kernels (linked lists, an AVL tree, array sorting, CRC/hashing, small matrices,
 * a tokenizer state machine) each take a 32-bit seed, build their data from it with a
 * linear congruential generator, do their work and return a 32-bit digest of what they
 * computed. The driver (main.c) runs every kernel once per iteration, with the seed of
 * one of NVARIANTS variants, and checks each digest against the value baked into
 * expected.h. Nothing here depends on the word size, the byte order or floating point,
 * so the host build (make -C guests/bench host-check) gives the same digests.
 */
#ifndef BENCH_CPU_H
#define BENCH_CPU_H

#include <stddef.h>
#include <stdint.h>

/* Deterministic pseudo-random numbers: a full-period 32-bit LCG. The low bits of an LCG
   are weak, so callers take the high ones. */
static inline uint32_t lcg_next(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state;
}

/* A value in [0, n). */
static inline uint32_t lcg_below(uint32_t *state, uint32_t n)
{
	return (lcg_next(state) >> 12) % n;
}

/* Folds v into the running digest h; the order of the values matters. */
static inline uint32_t mix32(uint32_t h, uint32_t v)
{
	h = (h ^ v) * 0x01000193u;
	return h ^ (h >> 15);
}

static inline uint32_t rotl32(uint32_t x, unsigned r)
{
	return (x << r) | (x >> ((32 - r) & 31));
}

/* The kernels. Each returns the digest of one run for this seed. */
uint32_t bench_list(uint32_t seed);
uint32_t bench_tree(uint32_t seed);
uint32_t bench_sort(uint32_t seed);
uint32_t bench_hash(uint32_t seed);
uint32_t bench_matrix(uint32_t seed);
uint32_t bench_scan(uint32_t seed);

/* Broken invariants the kernels found in their own results (a list out of order, an
   unbalanced tree, two sorts or two CRCs that disagree): must stay 0. */
extern uint32_t bench_faults;

/* One-time setup outside the timed loop (lookup tables). */
void bench_hash_init(void);
void bench_scan_init(void);

#endif
