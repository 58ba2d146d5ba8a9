/*
 * Linked lists: build a singly linked list from a node pool, search it by key and by
 * value range, reverse it, merge sort it under several orders, split it and merge the
 * parts back. Comparisons go through function pointers, as generic list code does.
 */
#include "bench.h"

#define LIST_NODES 256
#define LIST_FINDS 64
#define LIST_RANGE_FINDS 32

struct lnode {
	struct lnode *next;
	uint32_t key;	/* 0..1023: duplicates are common */
	int32_t val;	/* -32768..32767 */
	uint32_t id;	/* creation order, unique */
};

typedef int (*lcmp_fn)(const struct lnode *, const struct lnode *);

static struct lnode pool[LIST_NODES];

static int by_key(const struct lnode *a, const struct lnode *b)
{
	return a->key < b->key ? -1 : a->key > b->key;
}

static int by_val(const struct lnode *a, const struct lnode *b)
{
	return a->val < b->val ? -1 : a->val > b->val;
}

static int by_id(const struct lnode *a, const struct lnode *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Pushes every node on the front, so the list comes out in reverse creation order. */
static struct lnode *list_build(uint32_t *rng)
{
	struct lnode *head = NULL;
	for (uint32_t i = 0; i < LIST_NODES; i++) {
		struct lnode *p = &pool[i];
		p->key = lcg_next(rng) >> 22;
		p->val = (int32_t)(lcg_next(rng) >> 16) - 32768;
		p->id = i;
		p->next = head;
		head = p;
	}
	return head;
}

static struct lnode *list_find_key(struct lnode *p, uint32_t key)
{
	while (p != NULL && p->key != key)
		p = p->next;
	return p;
}

static struct lnode *list_find_range(struct lnode *p, int32_t lo, int32_t hi)
{
	while (p != NULL && (p->val < lo || p->val > hi))
		p = p->next;
	return p;
}

static struct lnode *list_reverse(struct lnode *p)
{
	struct lnode *done = NULL;
	while (p != NULL) {
		struct lnode *next = p->next;
		p->next = done;
		done = p;
		p = next;
	}
	return done;
}

/* Stable: on a tie the node from a comes first. */
static struct lnode *list_merge(struct lnode *a, struct lnode *b, lcmp_fn cmp)
{
	struct lnode *head = NULL, **tail = &head;
	while (a != NULL && b != NULL) {
		if (cmp(b, a) < 0) {
			*tail = b;
			b = b->next;
		} else {
			*tail = a;
			a = a->next;
		}
		tail = &(*tail)->next;
	}
	*tail = a != NULL ? a : b;
	return head;
}

/* Top-down merge sort: split at the middle (slow/fast walk), sort the halves, merge. */
static struct lnode *list_sort(struct lnode *p, lcmp_fn cmp)
{
	if (p == NULL || p->next == NULL)
		return p;
	struct lnode *slow = p, *fast = p->next;
	while (fast != NULL && fast->next != NULL) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct lnode *second = slow->next;
	slow->next = NULL;
	return list_merge(list_sort(p, cmp), list_sort(second, cmp), cmp);
}

/* Unlinks the nodes with (key & mask) == want, keeping their order, and returns them. */
static struct lnode *list_extract(struct lnode **link, uint32_t mask, uint32_t want)
{
	struct lnode *out = NULL, **tail = &out;
	while (*link != NULL) {
		struct lnode *p = *link;
		if ((p->key & mask) == want) {
			*link = p->next;
			*tail = p;
			tail = &p->next;
		} else {
			link = &p->next;
		}
	}
	*tail = NULL;
	return out;
}

/* Out-of-order neighbours under cmp (0 for a sorted list). */
static uint32_t list_disorder(const struct lnode *p, lcmp_fn cmp)
{
	uint32_t n = 0;
	for (; p != NULL && p->next != NULL; p = p->next)
		n += cmp(p, p->next) > 0;
	return n;
}

static uint32_t list_digest(const struct lnode *p, uint32_t h)
{
	uint32_t pos = 0;
	for (; p != NULL; p = p->next, pos++)
		h = mix32(h, p->key ^ ((uint32_t)p->val << 10) ^ (p->id << 22) ^ pos);
	return mix32(h, pos);
}

uint32_t bench_list(uint32_t seed)
{
	uint32_t rng = seed ^ 0x11571157u;
	uint32_t h = 0x4c495354u;
	struct lnode *list = list_build(&rng);

	for (int i = 0; i < LIST_FINDS; i++) {
		const struct lnode *p = list_find_key(list, lcg_next(&rng) >> 22);
		h = mix32(h, p != NULL ? p->id : 0xffffu);
	}
	for (int i = 0; i < LIST_RANGE_FINDS; i++) {
		int32_t lo = (int32_t)(lcg_next(&rng) >> 16) - 32768;
		const struct lnode *p = list_find_range(list, lo, lo + 96);
		h = mix32(h, p != NULL ? p->id : 0xffffu);
	}

	list = list_reverse(list);
	h = list_digest(list, h);

	list = list_sort(list, by_key);
	uint32_t disorder = list_disorder(list, by_key);
	h = list_digest(list, h);

	/* Split off the odd keys, order both parts by value and merge them back. */
	struct lnode *odd = list_extract(&list, 1, 1);
	disorder += list_disorder(odd, by_key);
	odd = list_sort(odd, by_val);
	list = list_sort(list, by_val);
	list = list_merge(list, odd, by_val);
	disorder += list_disorder(list, by_val);
	h = list_digest(list, h);

	/* Searching the value-sorted list from its far end. */
	list = list_reverse(list);
	for (int i = 0; i < LIST_FINDS / 2; i++) {
		const struct lnode *p = list_find_key(list, lcg_next(&rng) >> 22);
		h = mix32(h, p != NULL ? p->id : 0xffffu);
	}

	/* Back to creation order: every id in place. */
	list = list_sort(list, by_id);
	disorder += list_disorder(list, by_id);
	bench_faults += disorder;
	return list_digest(list, mix32(h, disorder));
}
