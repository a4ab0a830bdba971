/*
 * Priority-ordered wait queues shared by every blocking object, and the one
 * lock that guards them all with the PI graph: rt_wait_lock.
 * Invariant: a queue is sorted by waiter->key, highest first, FIFO among
 * equal keys; a waiter's key equals its thread's effective priority whenever
 * rt_wait_lock is free. Limit: insertion is O(waiters).
 */
#ifndef RT_WAITQ_H
#define RT_WAITQ_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/list.h>
#include <rt/spinlock.h>

struct rt_thread;
struct rt_waiter;

enum rt_waitq_kind {
	RT_WAITQ_MUTEX = 1,
	RT_WAITQ_SEM,
	RT_WAITQ_COND,
	RT_WAITQ_MSGQ,
	RT_WAITQ_IRQ,
};

struct rt_waitq_ops {
	/* The waiter's timeout fired (rt_wait_lock held, may be dropped and
	 * retaken through *flags): take it off the object and wake it. */
	void (*timeout)(struct rt_waiter *w, unsigned long *flags);
	/* The waiter's key changed and it was re-sorted; propagate (PI). */
	void (*key_changed)(struct rt_waiter *w, unsigned long *flags);
};

struct rt_waitq {
	struct rt_list head;
	uint8_t kind; /* enum rt_waitq_kind */
	const struct rt_waitq_ops *ops;
};

/* Each thread owns exactly one waiter: it blocks on one object at a time. */
struct rt_waiter {
	struct rt_list node; /* in q->head */
	struct rt_waitq *q; /* NULL when not waiting: never stale */
	struct rt_thread *thread;
	uint8_t key; /* sort key: copy of thread->prio (see waitq.c) */
	bool timed; /* a finite timeout is armed */
	bool acquire; /* mutex: wants ownership (false: waits for release) */
	int handoff_retval; /* value the thread returns when handed the object */
	void *data; /* object-specific: message buffer, condvar's mutex */
};

extern struct rt_raw_spinlock rt_wait_lock;

void rt_waitq_init(struct rt_waitq *q, enum rt_waitq_kind kind, const struct rt_waitq_ops *ops);
void rt_waitq_insert(struct rt_waitq *q, struct rt_waiter *w);
void rt_waitq_remove(struct rt_waiter *w);
/* Re-sorts `w` in the queue it sits in under a new key (pitfall 1). */
void rt_waitq_requeue(struct rt_waiter *w, uint8_t key);
struct rt_waiter *rt_waitq_top(const struct rt_waitq *q);
bool rt_waitq_empty(const struct rt_waitq *q);

#endif
