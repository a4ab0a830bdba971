/*
 * Condition variables over rt_mutex. A signalled (or timed-out) waiter is
 * requeued onto the mutex's wait queue, boosting its owner, and wakes owning
 * the mutex (futex requeue-PI style). Invariant: a waiter is on the condvar
 * or on the mutex, never both. Limit: no deadlock check at requeue time.
 */
#include <rt/condvar.h>
#include <rt/errno.h>
#include <rt/sched.h>
#include <rtarch/timer.h>

static void cond_requeue(struct rt_waiter *w, int retval, unsigned long *flags)
{
	struct rt_mutex *m = w->data;
	struct rt_thread *t = w->thread;

	rt_waitq_remove(w);
	/* The mutex part has no timeout; under W a running callback cannot be
	 * waited for, it sees the wait is untimed (rt_thread_timer_fn). */
	rt_hrtimer_try_to_cancel(&t->timer);
	if (rtmutex_take_or_enqueue_locked(m, t, retval, flags))
		sched_wake(t, retval);
}

static void cond_timeout(struct rt_waiter *w, unsigned long *flags)
{
	cond_requeue(w, -RT_ETIMEDOUT, flags);
}

static const struct rt_waitq_ops cond_ops = { .timeout = cond_timeout };

void rt_cond_init(struct rt_condvar *cv)
{
	rt_waitq_init(&cv->waiters, RT_WAITQ_COND, &cond_ops);
}

int rt_cond_wait(struct rt_condvar *cv, struct rt_mutex *m, uint64_t timeout_ns)
{
	struct rt_thread *self = rt_thread_self();
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w = &self->wait;

	if (rt_mutex_owner(m) != self || m->dead) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EPERM;
	}
	/* Release first: the deboost happens before we queue with our key. */
	rtmutex_release_locked(m, self);
	w->key = self->prio;
	w->timed = timeout_ns != RT_FOREVER;
	w->acquire = true;
	w->handoff_retval = 0;
	w->data = m;
	rt_waitq_insert(&cv->waiters, w);
	rt_thread_prepare_block(self, timeout_ns);
	return sched_block(flags);
}

int rt_cond_signal(struct rt_condvar *cv)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w = rt_waitq_top(&cv->waiters);

	if (w)
		cond_requeue(w, 0, &flags);
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}

int rt_cond_broadcast(struct rt_condvar *cv)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w;

	/* Each requeue may drop W in its chain walk: take the top afresh. */
	while ((w = rt_waitq_top(&cv->waiters)))
		cond_requeue(w, 0, &flags);
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}
