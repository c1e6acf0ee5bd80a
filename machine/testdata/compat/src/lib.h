// lib.h: what every compat guest shares: locks, a polled console, printf,
// the test finisher and the switch from M-mode to S-mode.
#ifndef LIB_H
#define LIB_H

#include <stdarg.h>
#include "rv.h"

struct lock {
  volatile uint32 held;
};

void acquire(struct lock *l);
void release(struct lock *l);

// The console. uart_init sets the line up without interrupts; printf
// writes whole messages under one lock, polling LSR, so lines from
// different harts never mix.
void uart_init(void);
void uart_putc_polled(int c);
void printf(const char *fmt, ...);

// format writes at most size-1 bytes and a NUL; it returns the length.
// It knows %d %u %x %s %c %p, with an optional l for 64-bit integers.
int vformat(char *buf, int size, const char *fmt, va_list ap);

// Finishing: pass() ends the run with the test device's pass code; fail()
// prints why and ends it with failure code 1. Neither returns.
void pass(void) __attribute__((noreturn));
void fail(const char *fmt, ...) __attribute__((noreturn));
void park(void) __attribute__((noreturn));

// delegate hands every trap S-mode can take to S-mode and opens physical
// memory to it through PMP, with translation off. It comes first: sie
// and sip bits exist only for delegated interrupts.
void delegate(void);
// to_supervisor mrets to fn in S-mode.
void to_supervisor(void (*fn)(void)) __attribute__((noreturn));

void *memset(void *dst, int c, unsigned long n);
void *memcpy(void *dst, const void *src, unsigned long n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, unsigned long n);
unsigned long strlen(const char *s);

// fnv1a is the checksum guests print for blocks of data.
uint32 fnv1a(const void *p, unsigned long n);

// The device tree (fdt.c).
int fdt_valid(const void *blob);
const void *fdt_prop(const void *blob, const char *node, const char *name, int *len);
int fdt_children(const void *blob, const char *node, const char *prefix);
uint32 fdt_cell(const void *val, int i);
int fdt_ncpus(const void *blob);

#endif
