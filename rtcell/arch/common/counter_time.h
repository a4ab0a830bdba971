/*
 * Conversions between a free-running counter (arm64's generic timer, x86's
 * TSC) and the kernel's nanoseconds, for every port. Split into whole seconds
 * and the rest so that neither product overflows 64 bits for any counter
 * below 18 GHz and any time below 584 years.
 */
#ifndef RTCELL_COUNTER_TIME_H
#define RTCELL_COUNTER_TIME_H

#include <stdint.h>

#define RT_NS_PER_S 1000000000ull

static inline uint64_t rt_counter_to_ns(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * RT_NS_PER_S + (ticks % hz) * RT_NS_PER_S / hz;
}

/* Rounded up: a timer programmed with it never fires before `ns`. */
static inline uint64_t rt_ns_to_counter_ceil(uint64_t ns, uint64_t hz)
{
	return ns / RT_NS_PER_S * hz + ((ns % RT_NS_PER_S) * hz + RT_NS_PER_S - 1) / RT_NS_PER_S;
}

#endif
