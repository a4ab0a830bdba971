/*
 * Fixed-width types for the ABI headers. Guests and host tools include the
 * ABI too; all of them have GCC's freestanding <stdint.h>.
 */
#ifndef BULKHEAD_ABI_TYPES_H
#define BULKHEAD_ABI_TYPES_H

#include <stdint.h>

#define BH_STATIC_ASSERT_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " size")

#endif
