/*
 * Array sorting: the same data sorted by quicksort (median of three, insertion sort for
 * short runs, recursion on the smaller side only) and by heap sort; the two results must
 * agree. Then binary searches in the sorted array.
 */
#include "bench.h"

#define SORT_N 512
#define SORT_SEARCHES 256
#define SMALL_RUN 12

static int32_t qs[SORT_N], hs[SORT_N];

static void insertion_sort(int32_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		int32_t x = v[i];
		int j = i - 1;
		while (j >= 0 && v[j] > x) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}

static inline void swap32(int32_t *a, int32_t *b)
{
	int32_t t = *a;
	*a = *b;
	*b = t;
}

static void quick_sort(int32_t *v, int n)
{
	while (n > SMALL_RUN) {
		/* Median of first, middle and last goes to v[0] as the pivot. */
		int mid = n / 2;
		if (v[mid] < v[0])
			swap32(&v[mid], &v[0]);
		if (v[n - 1] < v[0])
			swap32(&v[n - 1], &v[0]);
		if (v[n - 1] < v[mid])
			swap32(&v[n - 1], &v[mid]);
		swap32(&v[0], &v[mid]);
		int32_t pivot = v[0];

		/* Hoare partition: v[0..j] <= pivot <= v[j+1..n-1]. */
		int i = 0, j = n;
		for (;;) {
			do
				i++;
			while (i < n && v[i] < pivot);
			do
				j--;
			while (v[j] > pivot);
			if (i >= j)
				break;
			swap32(&v[i], &v[j]);
		}
		swap32(&v[0], &v[j]);

		/* v[j] is in place. Recurse on the smaller side, loop on the larger. */
		int left = j, right = n - j - 1;
		if (left < right) {
			quick_sort(v, left);
			v += j + 1;
			n = right;
		} else {
			quick_sort(v + j + 1, right);
			n = left;
		}
	}
	insertion_sort(v, n);
}

static void sift_down(int32_t *v, int root, int n)
{
	int32_t x = v[root];
	for (;;) {
		int child = 2 * root + 1;
		if (child >= n)
			break;
		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (v[child] <= x)
			break;
		v[root] = v[child];
		root = child;
	}
	v[root] = x;
}

static void heap_sort(int32_t *v, int n)
{
	for (int i = n / 2 - 1; i >= 0; i--)
		sift_down(v, i, n);
	for (int end = n - 1; end > 0; end--) {
		swap32(&v[0], &v[end]);
		sift_down(v, 0, end);
	}
}

/* Index of the first element >= key. */
static int lower_bound(const int32_t *v, int n, int32_t key)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t bench_sort(uint32_t seed)
{
	uint32_t rng = seed ^ 0x50525453u;
	uint32_t h = 0x534f5254u;

	/* Wide values, with a band of small ones so that duplicates occur. */
	for (int i = 0; i < SORT_N; i++) {
		uint32_t r = lcg_next(&rng);
		int32_t x = (r & 3) == 0 ? (int32_t)(r >> 26) - 32 : (int32_t)(r >> 2) - 0x20000000;
		qs[i] = hs[i] = x;
	}
	quick_sort(qs, SORT_N);
	heap_sort(hs, SORT_N);

	uint32_t mismatches = 0, disorder = 0;
	for (int i = 0; i < SORT_N; i++) {
		mismatches += qs[i] != hs[i];
		if (i > 0)
			disorder += qs[i - 1] > qs[i];
		h = mix32(h, (uint32_t)qs[i]);
	}
	h = mix32(mix32(h, mismatches), disorder);
	bench_faults += mismatches + disorder;

	for (int i = 0; i < SORT_SEARCHES; i++) {
		/* Half the keys are present (taken from the array), half are random. */
		uint32_t r = lcg_next(&rng);
		int32_t key = (r & 1) ? qs[(r >> 8) % SORT_N] : (int32_t)(r >> 2) - 0x20000000;
		int at = lower_bound(qs, SORT_N, key);
		h = mix32(h, (uint32_t)at ^ (at < SORT_N && qs[at] == key ? 0x10000u : 0));
	}
	return h;
}
