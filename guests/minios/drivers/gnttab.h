/* gnttab.h: minios's side of its grant table (PV only; drivers/gnttab.c). */
#ifndef MINIOS_GNTTAB_H
#define MINIOS_GNTTAB_H

#include <xen/grant_table.h>

int  gnttab_init(void);                                             /* maps frame 0 of the table */
int  gnttab_grant(domid_t domid, uint32_t mfn, int readonly);       /* a ref, or < 0 */
int  gnttab_end(grant_ref_t ref);                                   /* -XEN_EBUSY while mapped */

#endif
