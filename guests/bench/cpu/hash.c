/*
 * Checksums and hashing: CRC-32 (the reflected 0xEDB88320 polynomial) computed bit by
 * bit and with a 256-entry table, which must agree; FNV-1a; a multiply-rotate word hash;
 * and an open-addressing hash table keyed by that hash.
 */
#include "bench.h"

#define HASH_BYTES 1024
#define HASH_SLICES 16
#define TABLE_SLOTS 512		/* power of two */
#define TABLE_KEYS 320
#define TABLE_PROBES 320

static uint8_t buf[HASH_BYTES];
static uint32_t crc_table[256];
static uint32_t slot_key[TABLE_SLOTS];
static uint32_t slot_val[TABLE_SLOTS];

static uint32_t crc32_bitwise(const uint8_t *p, size_t n, uint32_t crc)
{
	crc = ~crc;
	while (n-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static uint32_t crc32_table(const uint8_t *p, size_t n, uint32_t crc)
{
	crc = ~crc;
	while (n-- > 0)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

void bench_hash_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
		crc_table[i] = c;
	}
	/* The standard check value of CRC-32. */
	static const uint8_t check[9] = { '1', '2', '3', '4', '5', '6', '7', '8', '9' };
	bench_faults += crc32_table(check, 9, 0) != 0xcbf43926u;
	bench_faults += crc32_bitwise(check, 9, 0) != 0xcbf43926u;
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	while (n-- > 0) {
		h ^= *p++;
		h *= 0x01000193u;
	}
	return h;
}

/* Multiply-rotate mixing over little-endian 32-bit words (assembled byte by byte, so the
   result does not depend on the host's byte order or alignment rules). */
static uint32_t word_hash(const uint8_t *p, size_t n, uint32_t h)
{
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t k = p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
		k *= 0x9e3779b1u;
		k = rotl32(k, 13);
		h ^= k * 0x85ebca77u;
		h = rotl32(h, 17) * 9u + 0x7f4a7c15u;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x2545f491u;
	h ^= (uint32_t)n;
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	return h ^ (h >> 16);
}

static uint32_t key_hash(uint32_t key)
{
	uint8_t b[4] = { (uint8_t)key, (uint8_t)(key >> 8), (uint8_t)(key >> 16), (uint8_t)(key >> 24) };
	return word_hash(b, 4, 0x1234567u);
}

/* Linear probing; key 0 marks an empty slot, so keys are nonzero. Returns the number of
   slots probed; adds one to the value of a key already there. */
static uint32_t table_put(uint32_t key)
{
	uint32_t i = key_hash(key) & (TABLE_SLOTS - 1), probes = 1;
	while (slot_key[i] != 0 && slot_key[i] != key) {
		i = (i + 1) & (TABLE_SLOTS - 1);
		probes++;
	}
	if (slot_key[i] == 0) {
		slot_key[i] = key;
		slot_val[i] = 0;
	}
	slot_val[i]++;
	return probes;
}

static uint32_t table_get(uint32_t key)
{
	uint32_t i = key_hash(key) & (TABLE_SLOTS - 1);
	while (slot_key[i] != 0) {
		if (slot_key[i] == key)
			return slot_val[i];
		i = (i + 1) & (TABLE_SLOTS - 1);
	}
	return 0;
}

uint32_t bench_hash(uint32_t seed)
{
	uint32_t rng = seed ^ 0x43524333u;
	uint32_t h = 0x48415348u;

	/* Bytes with some structure: runs of repeats among random bytes. */
	for (int i = 0; i < HASH_BYTES; i++) {
		uint32_t r = lcg_next(&rng);
		buf[i] = (r >> 28) < 3 && i > 0 ? buf[i - 1] : (uint8_t)(r >> 24);
	}

	uint32_t bitwise = crc32_bitwise(buf, HASH_BYTES, 0);
	uint32_t table = crc32_table(buf, HASH_BYTES, 0);
	h = mix32(mix32(h, bitwise), bitwise ^ table);
	bench_faults += bitwise != table;
	h = mix32(h, fnv1a(buf, HASH_BYTES));
	h = mix32(h, word_hash(buf, HASH_BYTES, seed));

	/* CRCs of random slices, each continuing from the last; every fourth slice also
	   goes through the bitwise version. */
	uint32_t chained = 0, chained_bits = 0;
	for (int i = 0; i < HASH_SLICES; i++) {
		uint32_t at = lcg_below(&rng, HASH_BYTES), len = lcg_below(&rng, HASH_BYTES - at) / 4 + 1;
		chained = crc32_table(buf + at, len, chained);
		if (i % 4 == 0)
			chained_bits = crc32_bitwise(buf + at, len, chained_bits ^ chained);
		h = mix32(h, chained ^ len);
	}
	h = mix32(h, chained_bits);

	for (int i = 0; i < TABLE_SLOTS; i++)
		slot_key[i] = 0;
	uint32_t probes = 0;
	for (int i = 0; i < TABLE_KEYS; i++)
		probes += table_put((lcg_next(&rng) >> 22) + 1);	/* 1..1024: repeats */
	h = mix32(h, probes);
	for (int i = 0; i < TABLE_PROBES; i++)
		h = mix32(h, table_get((lcg_next(&rng) >> 22) + 1));
	return h;
}
