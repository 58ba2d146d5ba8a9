/* balloon.h: the memory balloon (PV only; drivers/balloon.c). */
#ifndef MINIOS_BALLOON_H
#define MINIOS_BALLOON_H

#include <stdint.h>

void     balloon_init(void);      /* watches memory/target */
void     balloon_poll(void);      /* moves toward the target if it changed */
uint32_t balloon_pages(void);     /* pages currently given back */

#endif
