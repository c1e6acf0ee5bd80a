// ticks.h: the S-mode side the two timer guests share. Each hart counts
// NTICKS timer ticks, printing each one, then reports; hart 0 waits for
// every hart's report and passes.
#ifndef TICKS_H
#define TICKS_H

#include "lib.h"

#define NTICKS   5
#define INTERVAL 100000         // 10 ms of mtime

// Written by each hart's own trap handler, read by the same hart.
extern volatile uint64 ticks[MAXHARTS];
extern volatile uint32 early[MAXHARTS];   // ticks that came before their time

// ticks_boot runs in M-mode on every hart before its timer is set up:
// hart 0 brings up the console and reads the hart count from the tree.
void ticks_boot(uint64 id, uint64 dtb);

// ticks_main is the S-mode entry of every hart. name heads the banner
// and pass lines; detail, if set, adds a word to a hart's report.
void ticks_main(void) __attribute__((noreturn));
extern const char *ticks_name;
extern const char *(*ticks_detail)(int hart);

#endif
