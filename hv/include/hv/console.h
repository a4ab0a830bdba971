/*
 * Hypervisor console: formatted output serialised by one lock, so lines
 * from different CPUs never interleave. Only the hypervisor's own boot and
 * diagnostic path uses it; cells never wait on it.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/types.h>

void console_print(const char *fmt, ...) printf_like(1, 2);
void console_vprint(const char *fmt, va_list ap);

/*
 * For exception dumps: prints without taking the lock, because the CPU that
 * faults may hold it. Output may interleave, but it is never lost.
 */
void console_print_unlocked(const char *fmt, ...) printf_like(1, 2);
void console_vprint_unlocked(const char *fmt, va_list ap);

#endif
