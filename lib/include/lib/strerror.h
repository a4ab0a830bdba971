/*
 * Text for Bulkhead's error codes (bulkhead/errno.h), for every message
 * that reports one: "EL2 page tables: out of memory", not "error -12".
 */
#ifndef BH_LIB_STRERROR_H
#define BH_LIB_STRERROR_H

#include <bulkhead/errno.h>

/*
 * A short lower-case text for `err`, a BH_E* code given negated (as functions
 * return it) or positive: bh_strerror(-BH_ENOMEM) == bh_strerror(BH_ENOMEM) ==
 * "out of memory". 0 gives "no error"; any other value "unknown error".
 * Never NULL and never a number: a static string, safe from any CPU.
 */
const char *bh_strerror(int err);

#endif
