/*
 * A small vsnprintf: %d %i %u %x %X %p %s %c %% with flags '-' '0', width,
 * and length modifiers l, ll, z. Never writes past size; always terminates
 * when size > 0; returns the length the full output would have had, like
 * C's vsnprintf, so callers can detect truncation.
 */
#ifndef BH_LIB_FORMAT_H
#define BH_LIB_FORMAT_H

#include <lib/types.h>

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t size, const char *fmt, ...) printf_like(3, 4);

#endif
