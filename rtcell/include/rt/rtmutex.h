/*
 * rt_mutex: sleeping lock with transitive priority inheritance, deadlock
 * detection and timeouts. The protocol is described in rtcell/kernel/rtmutex.c.
 * Ownership is handed directly to the top waiter at unlock: a lower-priority
 * thread can never take a lock that a higher-priority waiter was promised.
 */
#ifndef RT_RTMUTEX_H
#define RT_RTMUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/list.h>
#include <rt/waitq.h>

struct rt_thread;

/* Bit 0 of the owner word: the lock has waiters, so unlock takes the slow path. */
#define RT_MUTEX_HAS_WAITERS ((uintptr_t)1)

struct rt_mutex {
	uintptr_t owner; /* thread pointer | HAS_WAITERS; atomic */
	struct rt_waitq waiters; /* rt_wait_lock */
	struct rt_list pi_node; /* in owner->pi_mutexes while it has waiters */
	const char *name;
	uint8_t dead;
	uint8_t saved_prio; /* fault-injection variant only */
};

struct rt_pi_stats {
	uint64_t walks; /* chain walks started */
	uint64_t hops; /* owners visited */
	uint64_t depth_limit_hits; /* boosts cut at RT_PI_MAX_DEPTH (deboosts never are) */
	uint64_t revalidate_stops; /* walks stopped because the chain changed */
	uint64_t deadlocks; /* -RT_EDEADLK answers */
};
extern struct rt_pi_stats rt_pi_stats;

void rt_mutex_init(struct rt_mutex *m, const char *name);
int rt_mutex_lock(struct rt_mutex *m);
/* Relative timeout: RT_FOREVER waits, RT_NO_WAIT is a trylock. */
int rt_mutex_lock_timeout(struct rt_mutex *m, uint64_t timeout_ns);
int rt_mutex_trylock(struct rt_mutex *m);
int rt_mutex_unlock(struct rt_mutex *m);
/*
 * Waits (boosting the owner) until the current owner releases `m`, without
 * taking it. Returns 0 at once when free, else -RT_EAGAIN after the release.
 */
int rt_mutex_wait_released(struct rt_mutex *m);
/* Wakes every waiter with -RT_ECANCELED, deboosts the owner's chain and
 * invalidates the mutex (later calls answer -RT_EINVAL). */
int rt_mutex_destroy(struct rt_mutex *m);
struct rt_thread *rt_mutex_owner(const struct rt_mutex *m);

/*
 * Deliberately broken variants, to prove the tests can fail. Only builds with
 * RT_FAULT_INJECTION (the host port) honour them.
 */
enum rt_pi_fault {
	RT_PI_FAULT_NO_TRANSITIVE = 1u << 0, /* boost only the first owner */
	RT_PI_FAULT_NO_DEBOOST = 1u << 1, /* never lower a priority again */
	RT_PI_FAULT_NO_REQUEUE = 1u << 2, /* boosted waiter keeps its place */
	RT_PI_FAULT_SAVED_PRIO = 1u << 3, /* unlock restores prio saved at lock */
	RT_PI_FAULT_LIFO = 1u << 4, /* equal keys queue LIFO */
	RT_PI_FAULT_NO_DEADLOCK = 1u << 5, /* no deadlock detection */
};
extern unsigned rt_pi_faults;

/* Kernel-internal: hand `m` (owned by `self`) to its top waiter or free it. */
void rtmutex_release_locked(struct rt_mutex *m, struct rt_thread *self);
/* Kernel-internal: gives free `m` to blocked thread `t` (returns true: the
 * caller wakes it) or queues t on m with `retval` for the hand-off, boosting
 * the owner's chain (condition-variable requeue). */
bool rtmutex_take_or_enqueue_locked(struct rt_mutex *m, struct rt_thread *t, int retval,
				    unsigned long *flags);
/* Kernel-internal: recompute t's effective priority and propagate. */
void rtmutex_update_prio(struct rt_thread *t, unsigned long *flags);
/* Kernel-internal, thread context, rt_wait_lock held (dropped and retaken
 * between hops): the chain walk from `t` (the PI worker's deferred walks). */
void rtmutex_walk_from(struct rt_thread *t, unsigned long *flags);

#endif
