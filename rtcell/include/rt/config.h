/*
 * Compile-time limits of the realtime kernel.
 * Priorities: larger number = more urgent; 0 belongs to the idle threads only.
 * Changing RT_PRIO_LEVELS changes the ready-queue bitmap size (a multiple of 64).
 */
#ifndef RT_CONFIG_H
#define RT_CONFIG_H

#include <stdint.h>

#define RT_MAX_CPUS 8
#define RT_PRIO_LEVELS 128 /* priorities 0..127 */
#define RT_PRIO_IDLE 0
#define RT_PRIO_MIN 1
#define RT_PRIO_MAX (RT_PRIO_LEVELS - 1)
#define RT_MAX_IRQS 1024

/*
 * A priority-inheritance chain walk boosts at most this many owners. Owners
 * further down a longer chain are not boosted and a deadlock cycle longer
 * than this is not detected; each such cut is counted in
 * rt_pi_stats.depth_limit_hits. Deboosts are not cut: no thread is left
 * over-boosted (see rtmutex.c, step 7).
 */
#define RT_PI_MAX_DEPTH 16

#define RT_TIME_NEVER UINT64_MAX /* absolute time that never comes */
#define RT_FOREVER UINT64_MAX /* relative timeout: wait without limit */
#define RT_NO_WAIT 0 /* relative timeout: fail instead of waiting */

#define RT_DEFAULT_SLICE_NS 1000000u

#endif
