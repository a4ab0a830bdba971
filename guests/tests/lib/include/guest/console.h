/*
 * Console output through BH_HC_CONSOLE_WRITE. One call per line where it
 * fits, so the hypervisor's "[cell] " prefix lands on line starts and CPUs
 * of one cell do not interleave within a line. Lines longer than
 * CONSOLE_LINE_MAX are cut.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

#define CONSOLE_LINE_MAX 512

/* Writes text in chunks of at most BH_CONSOLE_WRITE_MAX bytes. */
void console_write(const char *text, size_t len);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
