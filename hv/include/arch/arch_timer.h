/*
 * A monotonic clock for the hypervisor's own timeouts (CPU start-up).
 * arm64: the generic timer counter; x86: the TSC, calibrated at boot.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <lib/types.h>

uint64_t arch_timer_now_ns(void);

#endif
