/*
 * Counting semaphore with direct hand-off: give() passes the unit straight to
 * the top waiter, so count > 0 implies nobody waits.
 * No priority inheritance (no owner); a waiter boosted through a mutex it
 * owns is still re-sorted here, by the generic wait-queue requeue.
 */
#include <rt/errno.h>
#include <rt/sched.h>
#include <rt/sem.h>
#include <rtarch/timer.h>

static void sem_timeout(struct rt_waiter *w, unsigned long *flags)
{
	(void)flags;
	rt_waitq_remove(w);
	sched_wake(w->thread, -RT_ETIMEDOUT);
}

static const struct rt_waitq_ops sem_ops = { .timeout = sem_timeout };

int rt_sem_init(struct rt_sem *s, uint32_t initial, uint32_t max)
{
	if (max == 0 || initial > max)
		return -RT_EINVAL;
	s->count = initial;
	s->max = max;
	rt_waitq_init(&s->waiters, RT_WAITQ_SEM, &sem_ops);
	return 0;
}

int rt_sem_take(struct rt_sem *s, uint64_t timeout_ns)
{
	struct rt_thread *self = rt_thread_self();
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w = &self->wait;

	if (s->count > 0) {
		s->count--;
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return 0;
	}
	if (timeout_ns == RT_NO_WAIT) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EBUSY;
	}
	w->key = self->prio;
	w->timed = timeout_ns != RT_FOREVER;
	w->acquire = true;
	w->data = NULL;
	rt_waitq_insert(&s->waiters, w);
	rt_thread_prepare_block(self, timeout_ns);
	return sched_block(flags);
}

int rt_sem_give(struct rt_sem *s)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w = rt_waitq_top(&s->waiters);
	int ret = 0;

	if (w) {
		rt_waitq_remove(w);
		sched_wake(w->thread, 0);
	} else if (s->count < s->max) {
		s->count++;
	} else {
		ret = -RT_EOVERFLOW;
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return ret;
}

int rt_sem_flush(struct rt_sem *s)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w;

	while ((w = rt_waitq_top(&s->waiters))) {
		rt_waitq_remove(w);
		sched_wake(w->thread, -RT_ECANCELED);
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}
