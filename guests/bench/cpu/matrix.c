/*
 * Small matrices: 16-bit elements, 32-bit results. Products (plain, against a transpose,
 * and against bit fields extracted from the elements), a scaled add, and a matrix-vector
 * product, each reduced to a digest.
 */
#include "bench.h"

#define MN 20

static int16_t ma[MN][MN], mb[MN][MN];
static int32_t mc[MN][MN];
static int32_t vec[MN], out[MN];

static void fill(int16_t m[MN][MN], uint32_t *rng)
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++)
			m[i][j] = (int16_t)((int32_t)(lcg_next(rng) >> 21) - 1024);	/* -1024..1023 */
}

static void mat_mul(int32_t c[MN][MN], int16_t a[MN][MN], int16_t b[MN][MN])
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			int32_t s = 0;
			for (int k = 0; k < MN; k++)
				s += a[i][k] * b[k][j];
			c[i][j] = s;
		}
}

/* c = a * bᵀ: both operands walked along rows. */
static void mat_mul_transposed(int32_t c[MN][MN], int16_t a[MN][MN], int16_t b[MN][MN])
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			int32_t s = 0;
			for (int k = 0; k < MN; k++)
				s += a[i][k] * b[j][k];
			c[i][j] = s;
		}
}

/* Multiplies by a 6-bit field taken from each element of b. */
static void mat_mul_field(int32_t c[MN][MN], int16_t a[MN][MN], int16_t b[MN][MN], unsigned shift)
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			int32_t s = 0;
			for (int k = 0; k < MN; k++)
				s += a[i][k] * (int32_t)(((uint32_t)(uint16_t)b[k][j] >> shift) & 0x3f);
			c[i][j] = s;
		}
}

/* a = (a + k) / 2 with rounding toward zero, keeping elements in 16 bits. */
static void mat_add_half(int16_t a[MN][MN], int32_t k)
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++)
			a[i][j] = (int16_t)((a[i][j] + k) / 2);
}

static void transpose(int16_t m[MN][MN])
{
	for (int i = 0; i < MN; i++)
		for (int j = i + 1; j < MN; j++) {
			int16_t t = m[i][j];
			m[i][j] = m[j][i];
			m[j][i] = t;
		}
}

static void mat_vec(int32_t *o, int32_t c[MN][MN], const int32_t *v)
{
	for (int i = 0; i < MN; i++) {
		int32_t s = 0;
		for (int k = 0; k < MN; k++)
			s += (c[i][k] >> 8) * (v[k] >> 4);
		o[i] = s;
	}
}

/* Digest plus the count of negative elements and the largest one. */
static uint32_t reduce(int32_t c[MN][MN], uint32_t h)
{
	int32_t max = c[0][0];
	uint32_t negative = 0;
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			int32_t x = c[i][j];
			negative += x < 0;
			if (x > max)
				max = x;
			h = mix32(h, (uint32_t)x);
		}
	return mix32(mix32(h, negative), (uint32_t)max);
}

uint32_t bench_matrix(uint32_t seed)
{
	uint32_t rng = seed ^ 0x4d41543fu;
	uint32_t h = 0x4d415458u;

	fill(ma, &rng);
	fill(mb, &rng);
	mat_mul(mc, ma, mb);
	h = reduce(mc, h);

	mat_mul_field(mc, ma, mb, lcg_below(&rng, 10));
	h = reduce(mc, h);

	mat_add_half(ma, (int32_t)lcg_below(&rng, 512) - 256);
	transpose(mb);
	mat_mul_transposed(mc, ma, mb);	/* = ma * (original mb) */
	h = reduce(mc, h);

	for (int i = 0; i < MN; i++)
		vec[i] = (int32_t)(lcg_next(&rng) >> 20) - 2048;
	mat_vec(out, mc, vec);
	for (int i = 0; i < MN; i++)
		h = mix32(h, (uint32_t)out[i]);
	return h;
}
