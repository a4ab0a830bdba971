/*
 * O(1) ready queue: one FIFO list per priority and a bitmap of non-empty
 * lists; the highest ready priority is two count-leading-zeros away.
 * Invariant: bit p is set exactly when queue[p] is non-empty; a queued
 * thread's rq_prio names the list it sits in. Caller holds the CPU's rq_lock.
 * The operations are inline: each wake-up adds and each switch pops, and
 * out of line they were calls from functions that otherwise need no frame.
 */
#ifndef RT_RUNQUEUE_H
#define RT_RUNQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/config.h>
#include <rt/list.h>
#include <rt/thread.h>
#include <rtarch/cpu.h>

struct rt_runqueue {
	uint64_t bitmap[RT_PRIO_LEVELS / 64];
	struct rt_list queue[RT_PRIO_LEVELS];
	unsigned nr_ready;
};

void rt_runqueue_init(struct rt_runqueue *rq);

static inline void rt_runqueue_add(struct rt_runqueue *rq, struct rt_thread *t, bool at_head)
{
	if (rt_list_linked(&t->rq_node))
		rtarch_panic("runqueue: thread queued twice");
	/* Own copy of the key: t->prio may change under rt_wait_lock while the
	 * thread sits here; only a requeue under rq_lock moves it (pitfall 2). */
	t->rq_prio = t->prio;
	if (at_head)
		rt_list_add_head(&rq->queue[t->rq_prio], &t->rq_node);
	else
		rt_list_add_tail(&rq->queue[t->rq_prio], &t->rq_node);
	rq->bitmap[t->rq_prio / 64] |= 1ull << (t->rq_prio % 64);
	rq->nr_ready++;
}

static inline void rt_runqueue_remove(struct rt_runqueue *rq, struct rt_thread *t)
{
	rt_list_del(&t->rq_node);
	if (rt_list_empty(&rq->queue[t->rq_prio]))
		rq->bitmap[t->rq_prio / 64] &= ~(1ull << (t->rq_prio % 64));
	rq->nr_ready--;
}

/* Highest ready priority, -1 when empty. */
static inline int rt_runqueue_top_prio(const struct rt_runqueue *rq)
{
	for (int w = RT_PRIO_LEVELS / 64 - 1; w >= 0; w--)
		if (rq->bitmap[w])
			return w * 64 + 63 - __builtin_clzll(rq->bitmap[w]);
	return -1;
}

/* Removes and returns the first thread of the highest level; NULL: empty. */
static inline struct rt_thread *rt_runqueue_pop(struct rt_runqueue *rq)
{
	int p = rt_runqueue_top_prio(rq);

	if (p < 0)
		return NULL;
	struct rt_thread *t = rt_container_of(rq->queue[p].next, struct rt_thread, rq_node);

	rt_runqueue_remove(rq, t);
	return t;
}

#endif
