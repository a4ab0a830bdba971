/*
 * Fixed-width types for freestanding hypervisor code.
 * GCC's own <stdint.h>/<stddef.h>/<stdbool.h> are freestanding headers and
 * safe to use; this header just gathers them and adds the few helpers
 * every file wants.
 */
#ifndef BH_LIB_TYPES_H
#define BH_LIB_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define noreturn_fn __attribute__((noreturn))
#define printf_like(fmt, args) __attribute__((format(printf, fmt, args)))

#endif
