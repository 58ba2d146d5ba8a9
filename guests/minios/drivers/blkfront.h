/* blkfront.h: the virtual block device front end (PV only; drivers/blkfront.c). */
#ifndef MINIOS_BLKFRONT_H
#define MINIOS_BLKFRONT_H

#include <stdint.h>

void blkfront_tests(void);   /* cmdline "blk": connect to device/vbd/51712 and exercise it */

#endif
