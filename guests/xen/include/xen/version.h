/* xen/version.h: xen_version (#17) commands. */
#ifndef XEN_VERSION_H
#define XEN_VERSION_H

#include <xen/xen.h>

#define XENVER_version             0
#define XENVER_extraversion        1
#define XENVER_compile_info        2
#define XENVER_capabilities        3
#define XENVER_changeset           4
#define XENVER_platform_parameters 5
#define XENVER_get_features        6
#define XENVER_pagesize            7
#define XENVER_guest_handle        8
#define XENVER_commandline         9

typedef char xen_extraversion_t[16];
typedef char xen_capabilities_info_t[1024];
struct xen_platform_parameters { xen_ulong_t virt_start; };
struct xen_feature_info { uint32_t submap_idx; uint32_t submap; };

#define XENFEAT_writable_page_tables        0
#define XENFEAT_auto_translated_physmap     2
#define XENFEAT_mmu_pt_update_preserve_ad   5
#define XENFEAT_dom0                       11

_Static_assert(sizeof(struct xen_platform_parameters) == 8, "platform_parameters");
_Static_assert(sizeof(struct xen_feature_info) == 8, "feature_info");

#endif
