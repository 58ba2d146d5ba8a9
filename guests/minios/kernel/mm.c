/*
 * mm.c: frames and page tables, written against the arch interface only.
 *
 * Frames: a bitmap over the pseudo-physical frames; every free frame is mapped writable
 * in the direct map, so page_alloc can zero it through its kernel address.
 * Page tables: a frame is filled while it is still plain memory, then activated
 * (arch_pt_activate: on PV it is remapped read-only and pinned, which makes the
 * hypervisor validate it) and from then on changed only through arch_pt_set*. Freeing
 * reverses that: deactivate (unpin, writable again), then free.
 * Address spaces: a root table whose entries from USER_ROOT_SLOTS up are copies of the
 * kernel's (same leaf tables), so the kernel is mapped in every process.
 */
#include <minios.h>

#define MAX_PAGES 16384u  /* 64 MiB */
static uint32_t used[MAX_PAGES / 32];
static uint32_t nfree, next_hint;

static int is_used(uint32_t pfn) { return (used[pfn / 32] >> (pfn % 32)) & 1; }
static void set_used(uint32_t pfn, int u)
{
	if (u)
		used[pfn / 32] |= 1u << (pfn % 32);
	else
		used[pfn / 32] &= ~(1u << (pfn % 32));
}

uint32_t page_alloc(void)
{
	for (uint32_t n = 0; n < boot.nr_pages; n++) {
		uint32_t pfn = next_hint + n;
		if (pfn >= boot.nr_pages)
			pfn -= boot.nr_pages;
		if (!is_used(pfn)) {
			set_used(pfn, 1);
			nfree--;
			next_hint = pfn + 1 >= boot.nr_pages ? 0 : pfn + 1;
			memset(pfn_to_kva(pfn), 0, PAGE_SIZE);
			return pfn;
		}
	}
	return 0;
}

void page_free(uint32_t pfn)
{
	if (pfn == 0 || pfn >= boot.nr_pages || !is_used(pfn))
		panic("page_free(%lu): not an allocated frame", (unsigned long)pfn);
	set_used(pfn, 0);
	nfree++;
}

uint32_t pages_free(void)
{
	return nfree;
}

uint32_t pt_alloc(int level)
{
	uint32_t pfn = page_alloc();
	if (pfn == 0)
		return 0;
	if (level == 2) {
		/* The kernel half, copied while the frame is still plain memory. */
		const uint32_t *k = pfn_to_kva(boot.root_pfn);
		uint32_t *r = pfn_to_kva(pfn);
		for (uint32_t i = USER_ROOT_SLOTS; i < KERNEL_ROOT_END; i++)
			r[i] = k[i];
	}
	arch_pt_activate(pfn, level);
	return pfn;
}

void pt_free(uint32_t pfn)
{
	arch_pt_deactivate(pfn);
	page_free(pfn);
}

uint32_t pt_entry(uint32_t table_pfn, uint32_t idx)
{
	return ((volatile uint32_t *)pfn_to_kva(table_pfn))[idx];
}

uint32_t pt_lookup(uint32_t root_pfn, uintptr_t va)
{
	uint32_t e = pt_entry(root_pfn, VA_ROOT_IDX(va));
	if (!(e & PTE_V) || PTE_IS_LEAF(e))
		return 0;
	return pt_entry(mfn_to_pfn(PTE_MFN(e)), VA_L1_IDX(va));
}

uint32_t pt_l1_for(uint32_t root_pfn, uintptr_t va)
{
	uint32_t e = pt_entry(root_pfn, VA_ROOT_IDX(va));
	if (e & PTE_V)
		return mfn_to_pfn(PTE_MFN(e));
	uint32_t l1 = pt_alloc(1);
	if (l1 == 0)
		return 0;
	arch_pt_set(root_pfn, VA_ROOT_IDX(va), PTE_TABLE(pfn_to_mfn(l1)));
	return l1;
}

void pt_map(uint32_t root_pfn, uintptr_t va, uint32_t pte)
{
	uint32_t l1 = pt_l1_for(root_pfn, va);
	if (l1 == 0)
		panic("pt_map: out of memory for a leaf table");
	if (root_pfn == current_root)
		arch_map_current(va, l1, VA_L1_IDX(va), pte);
	else
		arch_pt_set(l1, VA_L1_IDX(va), pte);
}

void kmap(uintptr_t va, uint32_t pte)
{
	pt_map(boot.root_pfn, va, pte);
}

uint32_t as_create(void)
{
	return pt_alloc(2);
}

void as_destroy(uint32_t root)
{
	if (root == current_root)
		panic("as_destroy: the address space is in use");
	uint32_t l1s[USER_ROOT_SLOTS], nl1 = 0;
	for (uint32_t i = 0; i < USER_ROOT_SLOTS; i++) {
		uint32_t e = pt_entry(root, i);
		if (e & PTE_V)
			l1s[nl1++] = mfn_to_pfn(PTE_MFN(e));
	}
	/* Tables first (that drops the references their entries hold), then the frames. */
	pt_free(root);
	for (uint32_t t = 0; t < nl1; t++) {
		static uint32_t frames[PT_ENTRIES];
		uint32_t n = 0;
		for (uint32_t i = 0; i < PT_ENTRIES; i++) {
			uint32_t e = pt_entry(l1s[t], i);
			if (e & PTE_V)
				frames[n++] = mfn_to_pfn(PTE_MFN(e));
		}
		pt_free(l1s[t]);
		for (uint32_t i = 0; i < n; i++)
			page_free(frames[i]);
	}
}

/*
 * Map every frame at boot.virt_base + pfn*4096 (the arch mapped the first
 * boot.mapped_pages of them already), then run on the kernel's own root table.
 * Leaf tables for the rest are filled while plain, activated, then hooked in.
 */
void mm_init(void)
{
	if (boot.nr_pages > MAX_PAGES)
		boot.nr_pages = MAX_PAGES;
	for (uint32_t pfn = 0; pfn < boot.first_free_pfn; pfn++)
		set_used(pfn, 1);
	nfree = boot.nr_pages - boot.first_free_pfn;
	next_hint = boot.first_free_pfn;

	uint32_t pfn = boot.mapped_pages;
	while (pfn < boot.nr_pages) {
		uintptr_t va = (uintptr_t)pfn_to_kva(pfn);
		uint32_t l1 = pt_entry(boot.root_pfn, VA_ROOT_IDX(va)) & PTE_V ? 0 : page_alloc();
		if (l1 != 0) {
			uint32_t *t = pfn_to_kva(l1);
			for (uint32_t i = VA_L1_IDX(va); i < PT_ENTRIES && pfn + (i - VA_L1_IDX(va)) < boot.nr_pages; i++)
				t[i] = PTE_LEAF(pfn_to_mfn(pfn + (i - VA_L1_IDX(va))), PTE_R | PTE_W | PTE_X);
			arch_pt_activate(l1, 1);
			arch_pt_set(boot.root_pfn, VA_ROOT_IDX(va), PTE_TABLE(pfn_to_mfn(l1)));
			pfn += PT_ENTRIES - VA_L1_IDX(va);
		} else {
			/* A partly mapped 4 MiB slot: finish it entry by entry. */
			uint32_t l1pfn = mfn_to_pfn(PTE_MFN(pt_entry(boot.root_pfn, VA_ROOT_IDX(va))));
			arch_pt_set(l1pfn, VA_L1_IDX(va), PTE_LEAF(pfn_to_mfn(pfn), PTE_R | PTE_W | PTE_X));
			pfn++;
		}
	}
	current_root = boot.root_pfn;
	arch_switch_root(boot.root_pfn);
}
