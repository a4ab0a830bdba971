/*
 * Counting semaphore. Waiters are queued by priority (FIFO among equals) and
 * handed the count directly. No inheritance: a semaphore has no owner.
 */
#ifndef RT_SEM_H
#define RT_SEM_H

#include <stdint.h>
#include <rt/waitq.h>

struct rt_sem {
	uint32_t count;
	uint32_t max;
	struct rt_waitq waiters;
};

int rt_sem_init(struct rt_sem *s, uint32_t initial, uint32_t max);
int rt_sem_take(struct rt_sem *s, uint64_t timeout_ns);
int rt_sem_give(struct rt_sem *s);
/* Wakes every waiter with -RT_ECANCELED; the count is kept. */
int rt_sem_flush(struct rt_sem *s);

#endif
