/* gnttab.h: minios's side of its grant table (PV only; drivers/gnttab.c). */
#ifndef MINIOS_GNTTAB_H
#define MINIOS_GNTTAB_H

#include <xen/grant_table.h>

int  gnttab_init(void);                                             /* maps frame 0 of the table */
int  gnttab_grant(domid_t domid, uint32_t mfn, int readonly);       /* a ref, or < 0 */
int  gnttab_end(grant_ref_t ref);                                   /* -XEN_EBUSY while mapped */
int  gnttab_accept_transfer(domid_t domid);                         /* a ref that takes a page from domid */
int  gnttab_transfer_done(grant_ref_t ref, uint32_t *mfn);          /* 1 with the page's MFN once it came */
void gnttab_rearm_transfer(grant_ref_t ref, domid_t domid);         /* ready for the next page */

#endif
