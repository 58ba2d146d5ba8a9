/*
 * xen/xen.h: the core of the rv32 PV ABI (docs/pv-abi.md) as C.
 *
 * Numbers, names and field order are Xen's public headers' (xen/include/public/xen.h),
 * restated from ../shared/reference/xen-abi.md. Layouts follow the ARM-style rules the
 * rv32 ABI adopts: uint64_t is 8-aligned, xen_ulong_t and xen_pfn_t are 64-bit, a guest
 * handle in memory is an 8-byte slot. So every struct has its x86-64 size and offsets,
 * which the _Static_asserts below pin down.
 */
#ifndef XEN_XEN_H
#define XEN_XEN_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t xen_pfn_t;
typedef uint64_t xen_ulong_t;
typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t;

/* A guest handle in memory: 8 bytes, 8-aligned; the virtual address in the low half,
 * the high half 0. As a hypercall argument a handle is just the (32-bit) pointer. */
#define XEN_GUEST_HANDLE(type) union { type *p; uint64_t q; } __attribute__((aligned(8)))
#define set_xen_guest_handle(h, ptr) do { (h).q = 0; (h).p = (ptr); } while (0)

#define XEN_PAGE_SHIFT 12
#define XEN_PAGE_SIZE  4096u

/* ---- hypercall numbers (__HYPERVISOR_*) ---- */
#define __HYPERVISOR_set_trap_table                 0
#define __HYPERVISOR_mmu_update                     1
#define __HYPERVISOR_set_gdt                        2
#define __HYPERVISOR_stack_switch                   3
#define __HYPERVISOR_set_callbacks                  4
#define __HYPERVISOR_fpu_taskswitch                 5
#define __HYPERVISOR_sched_op_compat                6
#define __HYPERVISOR_platform_op                    7
#define __HYPERVISOR_set_debugreg                   8
#define __HYPERVISOR_get_debugreg                   9
#define __HYPERVISOR_update_descriptor             10
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37

/* ---- domain ids ---- */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U
#define DOMID_IO             0x7FF1U
#define DOMID_XEN            0x7FF2U
#define DOMID_COW            0x7FF3U
#define DOMID_INVALID        0x7FF4U
#define DOMID_IDLE           0x7FFFU

/* ---- virtual interrupts ---- */
#define VIRQ_TIMER    0
#define VIRQ_DEBUG    1
#define VIRQ_CONSOLE  2
#define VIRQ_DOM_EXC  3
#define NR_VIRQS     24

/* ---- mmu_update: ptr[1:0] is the command, the rest a machine address ---- */
#define MMU_NORMAL_PT_UPDATE       0
#define MMU_MACHPHYS_UPDATE        1
#define MMU_PT_UPDATE_PRESERVE_AD  2
#define MMU_PT_UPDATE_NO_TRANSLATE 3

struct mmu_update {
	uint64_t ptr;
	uint64_t val;
};
typedef struct mmu_update mmu_update_t;

/* ---- mmuext_op ---- */
#define MMUEXT_PIN_L1_TABLE      0
#define MMUEXT_PIN_L2_TABLE      1
#define MMUEXT_PIN_L3_TABLE      2
#define MMUEXT_PIN_L4_TABLE      3
#define MMUEXT_UNPIN_TABLE       4
#define MMUEXT_NEW_BASEPTR       5
#define MMUEXT_TLB_FLUSH_LOCAL   6
#define MMUEXT_INVLPG_LOCAL      7
#define MMUEXT_TLB_FLUSH_MULTI   8
#define MMUEXT_INVLPG_MULTI      9
#define MMUEXT_TLB_FLUSH_ALL    10
#define MMUEXT_INVLPG_ALL       11
#define MMUEXT_FLUSH_CACHE      12
#define MMUEXT_SET_LDT          13
#define MMUEXT_NEW_USER_BASEPTR 15
#define MMUEXT_CLEAR_PAGE       16
#define MMUEXT_COPY_PAGE        17

struct mmuext_op {
	uint32_t cmd;
	union {
		xen_pfn_t mfn;
		xen_ulong_t linear_addr;
	} arg1 __attribute__((aligned(8)));
	union {
		uint32_t nr_ents;
		XEN_GUEST_HANDLE(const void) vcpumask;
		xen_pfn_t src_mfn;
	} arg2 __attribute__((aligned(8)));
};
typedef struct mmuext_op mmuext_op_t;

/* ---- update_va_mapping flags ---- */
#define UVMF_NONE           0
#define UVMF_TLB_FLUSH      1
#define UVMF_INVLPG         2
#define UVMF_FLUSHTYPE_MASK 3
#define UVMF_MULTI          0
#define UVMF_LOCAL          0
#define UVMF_ALL            4

/* ---- vm_assist ---- */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_runstate_update_flag 5

/* ---- console_io ---- */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* ---- multicall ---- */
struct multicall_entry {
	xen_ulong_t op;
	xen_ulong_t result;
	xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;

/* ---- time ---- */
struct vcpu_time_info {
	uint32_t version;       /* odd while the hypervisor updates the record */
	uint32_t pad0;
	uint64_t tsc_timestamp; /* rv32: the `time` CSR when system_time was sampled */
	uint64_t system_time;   /* ns */
	uint32_t tsc_to_system_mul;
	int8_t   tsc_shift;
	uint8_t  flags;
	uint8_t  pad1[2];
};

/* ---- vcpu_info and shared_info (x64 layouts) ---- */
struct arch_vcpu_info {
	uint64_t unused[2]; /* rv32: x86's cr2/pad slot, unused */
};

struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	xen_ulong_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

#define XEN_LEGACY_MAX_VCPUS 32
#define EVTCHN_2L_WORDS      64 /* 64 words of 64 bits: 4096 ports */
#define EVTCHN_2L_NR_CHANNELS (EVTCHN_2L_WORDS * 64)

struct arch_shared_info {
	xen_ulong_t max_pfn;
	xen_ulong_t pfn_to_mfn_frame_list_list;
	xen_ulong_t nmi_reason;
	xen_ulong_t p2m_cr3;
	xen_ulong_t p2m_vaddr;
	xen_ulong_t p2m_generation;
};

struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[EVTCHN_2L_WORDS];
	xen_ulong_t evtchn_mask[EVTCHN_2L_WORDS];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

/* ---- start_info (x64 layout; rv32 magic "xen-3.0-riscv32") ---- */
#define MAX_GUEST_CMDLINE 1024
#define SIF_PRIVILEGED    (1 << 0)
#define SIF_INITDOMAIN    (1 << 1)
#define SIF_MULTIBOOT_MOD (1 << 2)
#define SIF_MOD_START_PFN (1 << 3)

struct start_info {
	char magic[32];
	xen_ulong_t nr_pages;
	xen_ulong_t shared_info;   /* machine address */
	uint32_t flags;
	xen_pfn_t store_mfn;
	uint32_t store_evtchn;
	union {
		struct {
			xen_pfn_t mfn;
			uint32_t evtchn;
		} domU;
		struct {
			uint32_t info_off;
			uint32_t info_size;
		} dom0;
	} console;
	xen_ulong_t pt_base;       /* virtual */
	xen_ulong_t nr_pt_frames;
	xen_ulong_t mfn_list;      /* virtual: u32 per pfn on rv32 */
	xen_ulong_t mod_start;
	xen_ulong_t mod_len;
	char cmd_line[MAX_GUEST_CMDLINE];
	xen_ulong_t first_p2m_pfn;
	xen_ulong_t nr_p2m_frames;
};
typedef struct start_info start_info_t;

/* ---- rv32 hypervisor slots (docs/pv-abi.md) ---- */
#define HYPERVISOR_VIRT_START 0xFC000000u
#define MACH2PHYS_VIRT_START  0xFC000000u
#define HYPERVISOR_ROOT_SLOT  1008u   /* root entries 1008..1023 belong to the hypervisor */
#define INVALID_P2M_ENTRY     0xFFFFFFFFu

/* ---- layout checks: the x86-64 values of the fact sheet ---- */
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update");
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op");
_Static_assert(offsetof(struct mmuext_op, arg1) == 8, "mmuext_op.arg1");
_Static_assert(offsetof(struct mmuext_op, arg2) == 16, "mmuext_op.arg2");
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry");
_Static_assert(offsetof(struct multicall_entry, result) == 8, "multicall_entry.result");
_Static_assert(offsetof(struct multicall_entry, args) == 16, "multicall_entry.args");
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "tsc_timestamp");
_Static_assert(offsetof(struct vcpu_time_info, system_time) == 16, "system_time");
_Static_assert(offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "tsc_to_system_mul");
_Static_assert(offsetof(struct vcpu_time_info, tsc_shift) == 28, "tsc_shift");
_Static_assert(offsetof(struct vcpu_time_info, flags) == 29, "flags");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "evtchn_upcall_mask");
_Static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "evtchn_pending_sel");
_Static_assert(offsetof(struct vcpu_info, arch) == 16, "vcpu_info.arch");
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "evtchn_pending");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 2560, "evtchn_mask");
_Static_assert(offsetof(struct shared_info, wc_version) == 3072, "wc_version");
_Static_assert(offsetof(struct shared_info, wc_sec) == 3076, "wc_sec");
_Static_assert(offsetof(struct shared_info, wc_nsec) == 3080, "wc_nsec");
_Static_assert(offsetof(struct shared_info, wc_sec_hi) == 3084, "wc_sec_hi");
_Static_assert(offsetof(struct shared_info, arch) == 3088, "shared_info.arch");
_Static_assert(offsetof(struct shared_info, arch.p2m_generation) == 3128, "p2m_generation");
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info");
_Static_assert(offsetof(struct start_info, nr_pages) == 32, "nr_pages");
_Static_assert(offsetof(struct start_info, shared_info) == 40, "start_info.shared_info");
_Static_assert(offsetof(struct start_info, flags) == 48, "start_info.flags");
_Static_assert(offsetof(struct start_info, store_mfn) == 56, "store_mfn");
_Static_assert(offsetof(struct start_info, store_evtchn) == 64, "store_evtchn");
_Static_assert(offsetof(struct start_info, console.domU.mfn) == 72, "console.domU.mfn");
_Static_assert(offsetof(struct start_info, console.domU.evtchn) == 80, "console.domU.evtchn");
_Static_assert(offsetof(struct start_info, console.dom0.info_size) == 76, "console.dom0.info_size");
_Static_assert(offsetof(struct start_info, pt_base) == 88, "pt_base");
_Static_assert(offsetof(struct start_info, nr_pt_frames) == 96, "nr_pt_frames");
_Static_assert(offsetof(struct start_info, mfn_list) == 104, "mfn_list");
_Static_assert(offsetof(struct start_info, mod_start) == 112, "mod_start");
_Static_assert(offsetof(struct start_info, mod_len) == 120, "mod_len");
_Static_assert(offsetof(struct start_info, cmd_line) == 128, "cmd_line");
_Static_assert(offsetof(struct start_info, first_p2m_pfn) == 1152, "first_p2m_pfn");
_Static_assert(offsetof(struct start_info, nr_p2m_frames) == 1160, "nr_p2m_frames");
_Static_assert(sizeof(struct start_info) == 1168, "start_info");

#endif
