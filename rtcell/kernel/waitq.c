/*
 * Priority-sorted wait queues and rt_wait_lock, the lock of every wait queue
 * and of the PI graph (owners, blocked-on links, effective priorities).
 * Invariant: sorted by key, highest first, FIFO among equal keys. Limit: one
 * lock for the whole cell; hold times are O(1) per PI hop plus O(waiters)
 * per sorted insertion, and the chain walk drops it between hops.
 */
#include <rt/rtmutex.h>
#include <rt/thread.h>
#include <rt/waitq.h>

struct rt_raw_spinlock rt_wait_lock = RT_RAW_SPINLOCK_INIT;

void rt_waitq_init(struct rt_waitq *q, enum rt_waitq_kind kind, const struct rt_waitq_ops *ops)
{
	rt_list_init(&q->head);
	q->kind = kind;
	q->ops = ops;
}

void rt_waitq_insert(struct rt_waitq *q, struct rt_waiter *w)
{
	struct rt_list *pos;

	/* The key is the waiter's own copy of the thread's priority: the run
	 * queue keeps another under another lock (pitfall 2). */
	rt_list_for_each (pos, &q->head) {
		struct rt_waiter *o = rt_container_of(pos, struct rt_waiter, node);

		if (o->key < w->key)
			break;
#ifdef RT_FAULT_INJECTION
		if ((rt_pi_faults & RT_PI_FAULT_LIFO) && o->key == w->key)
			break;
#endif
	}
	rt_list_insert_before(pos, &w->node);
	w->q = q;
}

void rt_waitq_remove(struct rt_waiter *w)
{
	rt_list_del(&w->node);
	w->q = NULL; /* never leave a stale blocked-on link (pitfall 8) */
}

void rt_waitq_requeue(struct rt_waiter *w, uint8_t key)
{
	struct rt_waitq *q = w->q;

#ifdef RT_FAULT_INJECTION
	/* The classic bug: the key changes, the position does not. */
	if (rt_pi_faults & RT_PI_FAULT_NO_REQUEUE) {
		w->key = key;
		return;
	}
#endif
	rt_list_del(&w->node);
	w->key = key;
	rt_waitq_insert(q, w);
}

struct rt_waiter *rt_waitq_top(const struct rt_waitq *q)
{
	if (rt_list_empty(&q->head))
		return NULL;
	return rt_container_of(q->head.next, struct rt_waiter, node);
}

bool rt_waitq_empty(const struct rt_waitq *q)
{
	return rt_list_empty(&q->head);
}
