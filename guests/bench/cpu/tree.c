/*
 * An AVL tree of counted keys: insert, look up, delete, then check every invariant
 * (order, balance, stored heights) in a full walk. Nodes come from a fixed pool and are
 * named by 16-bit indices, -1 being the empty tree.
 */
#include "bench.h"

#define TREE_CAP 320
#define TREE_INSERTS 240
#define TREE_LOOKUPS 320
#define TREE_DELETES 120
#define TREE_REINSERTS 60
#define NIL (-1)

struct tnode {
	uint32_t key;
	uint32_t count;
	int16_t left, right;
	int16_t height;
	int16_t next_free;
};

static struct tnode tn[TREE_CAP];
static int free_list;
static uint32_t keys[TREE_INSERTS];

static void pool_reset(void)
{
	for (int i = 0; i < TREE_CAP; i++)
		tn[i].next_free = (int16_t)(i + 1 < TREE_CAP ? i + 1 : NIL);
	free_list = 0;
}

static int node_new(uint32_t key)
{
	int n = free_list;
	free_list = tn[n].next_free;
	tn[n].key = key;
	tn[n].count = 1;
	tn[n].left = tn[n].right = NIL;
	tn[n].height = 1;
	return n;
}

static void node_free(int n)
{
	tn[n].next_free = (int16_t)free_list;
	free_list = n;
}

static int height(int n)
{
	return n == NIL ? 0 : tn[n].height;
}

static void fix_height(int n)
{
	int hl = height(tn[n].left), hr = height(tn[n].right);
	tn[n].height = (int16_t)(1 + (hl > hr ? hl : hr));
}

static int rotate_right(int n)
{
	int l = tn[n].left;
	tn[n].left = tn[l].right;
	tn[l].right = (int16_t)n;
	fix_height(n);
	fix_height(l);
	return l;
}

static int rotate_left(int n)
{
	int r = tn[n].right;
	tn[n].right = tn[r].left;
	tn[r].left = (int16_t)n;
	fix_height(n);
	fix_height(r);
	return r;
}

/* Restores the AVL property at n, whose subtrees are AVL trees differing by <= 2. */
static int rebalance(int n)
{
	int l = tn[n].left, r = tn[n].right;
	int diff = height(l) - height(r);
	if (diff > 1) {
		if (height(tn[l].left) < height(tn[l].right))
			tn[n].left = (int16_t)rotate_left(l);
		return rotate_right(n);
	}
	if (diff < -1) {
		if (height(tn[r].right) < height(tn[r].left))
			tn[n].right = (int16_t)rotate_right(r);
		return rotate_left(n);
	}
	fix_height(n);
	return n;
}

static int tree_insert(int n, uint32_t key)
{
	if (n == NIL)
		return node_new(key);
	if (key < tn[n].key)
		tn[n].left = (int16_t)tree_insert(tn[n].left, key);
	else if (key > tn[n].key)
		tn[n].right = (int16_t)tree_insert(tn[n].right, key);
	else {
		tn[n].count++;
		return n;
	}
	return rebalance(n);
}

static int detach_min(int n, int *min)
{
	if (tn[n].left == NIL) {
		*min = n;
		return tn[n].right;
	}
	tn[n].left = (int16_t)detach_min(tn[n].left, min);
	return rebalance(n);
}

/* Removes key entirely (whatever its count); *count gets the count it had, or 0. */
static int tree_delete(int n, uint32_t key, uint32_t *count)
{
	if (n == NIL)
		return NIL;
	if (key < tn[n].key)
		tn[n].left = (int16_t)tree_delete(tn[n].left, key, count);
	else if (key > tn[n].key)
		tn[n].right = (int16_t)tree_delete(tn[n].right, key, count);
	else {
		int l = tn[n].left, r = tn[n].right, m;
		*count = tn[n].count;
		node_free(n);
		if (r == NIL)
			return l;
		r = detach_min(r, &m);
		tn[m].left = (int16_t)l;
		tn[m].right = (int16_t)r;
		return rebalance(m);
	}
	return rebalance(n);
}

static uint32_t tree_lookup(int n, uint32_t key)
{
	while (n != NIL) {
		if (key == tn[n].key)
			return tn[n].count;
		n = key < tn[n].key ? tn[n].left : tn[n].right;
	}
	return 0;
}

struct walk {
	uint32_t digest;
	uint32_t nodes;
	uint32_t faults;	/* broken invariants: must stay 0 */
	uint32_t last;
	int first;
};

/* In-order walk; returns the real height of the subtree. */
static int tree_walk(int n, struct walk *w)
{
	if (n == NIL)
		return 0;
	int hl = tree_walk(tn[n].left, w);
	if (!w->first && tn[n].key <= w->last)
		w->faults++;
	w->first = 0;
	w->last = tn[n].key;
	w->nodes++;
	w->digest = mix32(w->digest, tn[n].key * 8u + tn[n].count);
	int hr = tree_walk(tn[n].right, w);
	int h = 1 + (hl > hr ? hl : hr);
	if (hl - hr > 1 || hr - hl > 1 || h != tn[n].height)
		w->faults++;
	return h;
}

static uint32_t tree_check(int root, uint32_t h)
{
	struct walk w = { h, 0, 0, 0, 1 };
	int depth = tree_walk(root, &w);
	bench_faults += w.faults;
	return mix32(mix32(mix32(w.digest, w.nodes), w.faults), (uint32_t)depth);
}

uint32_t bench_tree(uint32_t seed)
{
	uint32_t rng = seed ^ 0x7ee7ee71u;
	uint32_t h = 0x54524545u;
	int root = NIL;

	pool_reset();
	for (int i = 0; i < TREE_INSERTS; i++) {
		keys[i] = lcg_next(&rng) >> 21;	/* 0..2047: some repeats */
		root = tree_insert(root, keys[i]);
	}
	h = tree_check(root, h);

	for (int i = 0; i < TREE_LOOKUPS; i++) {
		uint32_t r = lcg_next(&rng);
		uint32_t key = (r & 1) ? keys[(r >> 12) % TREE_INSERTS] : r >> 21;
		h = mix32(h, tree_lookup(root, key));
	}

	for (int i = 0; i < TREE_DELETES; i++) {
		uint32_t count = 0;
		root = tree_delete(root, keys[lcg_below(&rng, TREE_INSERTS)], &count);
		h = mix32(h, count);
	}
	h = tree_check(root, h);

	for (int i = 0; i < TREE_REINSERTS; i++)
		root = tree_insert(root, lcg_next(&rng) >> 21);
	return tree_check(root, h);
}
