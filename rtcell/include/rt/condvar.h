/*
 * Condition variable bound to an rt_mutex at each wait. A signalled waiter is
 * moved straight onto the mutex's wait queue (boosting its owner) and wakes
 * only when it owns the mutex: no thundering herd, no inversion window.
 */
#ifndef RT_CONDVAR_H
#define RT_CONDVAR_H

#include <stdint.h>
#include <rt/rtmutex.h>
#include <rt/waitq.h>

struct rt_condvar {
	struct rt_waitq waiters;
};

void rt_cond_init(struct rt_condvar *cv);
/* Returns 0 or -RT_ETIMEDOUT, in both cases owning `m` again. */
int rt_cond_wait(struct rt_condvar *cv, struct rt_mutex *m, uint64_t timeout_ns);
int rt_cond_signal(struct rt_condvar *cv);
int rt_cond_broadcast(struct rt_condvar *cv);

#endif
