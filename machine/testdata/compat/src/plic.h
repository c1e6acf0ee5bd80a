// plic.h: the S-mode context registers of the virt board's PLIC.
#ifndef PLIC_H
#define PLIC_H

#include "rv.h"

#define PLIC_PRIORITY(irq)   (PLIC + 4 * (irq))
#define PLIC_SENABLE(h)      (PLIC + 0x2080 + 0x100 * (h))
#define PLIC_STHRESHOLD(h)   (PLIC + 0x201000 + 0x2000 * (h))
#define PLIC_SCLAIM(h)       (PLIC + 0x201004 + 0x2000 * (h))

#endif
