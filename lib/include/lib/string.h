/*
 * The libc subset the hypervisor needs. GCC may emit calls to memcpy,
 * memset, memmove and memcmp on its own, so these names are kept.
 */
#ifndef BH_LIB_STRING_H
#define BH_LIB_STRING_H

#include <lib/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * Copies at most size-1 bytes and always terminates (when size > 0).
 * Returns strlen(src), so a result >= size means the copy was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Finds `key` as a whole word in a space-separated command line and returns
 * its value after '=' ("" for a bare flag), or NULL when absent.
 * `value_len` receives the value's length.
 */
const char *cmdline_find(const char *cmdline, const char *key, size_t *value_len);

#endif
