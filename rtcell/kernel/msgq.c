/*
 * Bounded message queue with hand-off: a sender finding a waiting receiver
 * copies into the receiver's buffer; a receiver freeing a slot moves the top
 * blocked sender's message in. Invariant: receivers wait only when empty,
 * senders only when full. Limit: messages are copied under rt_wait_lock, so
 * keep them small (the irq-off section grows with msg_size).
 */
#include <rt/errno.h>
#include <rt/msgq.h>
#include <rt/sched.h>
#include <rtarch/timer.h>

static void copy_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static void msgq_timeout(struct rt_waiter *w, unsigned long *flags)
{
	(void)flags;
	rt_waitq_remove(w);
	sched_wake(w->thread, -RT_ETIMEDOUT);
}

static const struct rt_waitq_ops msgq_ops = { .timeout = msgq_timeout };

int rt_msgq_init(struct rt_msgq *q, void *ring, size_t msg_size, uint32_t capacity)
{
	if (!ring || msg_size == 0 || capacity == 0)
		return -RT_EINVAL;
	q->ring = ring;
	q->msg_size = msg_size;
	q->capacity = capacity;
	q->count = q->head = 0;
	rt_waitq_init(&q->senders, RT_WAITQ_MSGQ, &msgq_ops);
	rt_waitq_init(&q->receivers, RT_WAITQ_MSGQ, &msgq_ops);
	return 0;
}

static void *slot(struct rt_msgq *q, uint32_t i)
{
	return q->ring + (size_t)((q->head + i) % q->capacity) * q->msg_size;
}

static int block_on(struct rt_waitq *wq, void *data, uint64_t timeout_ns, unsigned long flags)
{
	struct rt_thread *self = rt_thread_self();
	struct rt_waiter *w = &self->wait;

	w->key = self->prio;
	w->timed = timeout_ns != RT_FOREVER;
	w->acquire = true;
	w->data = data;
	rt_waitq_insert(wq, w);
	rt_thread_prepare_block(self, timeout_ns);
	return sched_block(flags);
}

int rt_msgq_send(struct rt_msgq *q, const void *msg, uint64_t timeout_ns)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w = rt_waitq_top(&q->receivers);

	if (w) {
		copy_bytes(w->data, msg, q->msg_size);
		rt_waitq_remove(w);
		sched_wake(w->thread, 0);
	} else if (q->count < q->capacity) {
		copy_bytes(slot(q, q->count), msg, q->msg_size);
		q->count++;
	} else if (timeout_ns == RT_NO_WAIT) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EBUSY;
	} else {
		return block_on(&q->senders, (void *)msg, timeout_ns, flags);
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}

int rt_msgq_recv(struct rt_msgq *q, void *msg, uint64_t timeout_ns)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);

	if (q->count > 0) {
		struct rt_waiter *w = rt_waitq_top(&q->senders);

		copy_bytes(msg, slot(q, 0), q->msg_size);
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		if (w) {
			copy_bytes(slot(q, q->count), w->data, q->msg_size);
			q->count++;
			rt_waitq_remove(w);
			sched_wake(w->thread, 0);
		}
	} else if (timeout_ns == RT_NO_WAIT) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EBUSY;
	} else {
		return block_on(&q->receivers, msg, timeout_ns, flags);
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}
