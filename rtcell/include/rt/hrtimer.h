/*
 * Tickless high-resolution timers: a per-CPU queue sorted by expiry; the
 * hardware one-shot is programmed for the head only.
 * Callbacks run in interrupt context on the timer's CPU, without the queue
 * lock. Limit: insertion is O(queued timers) (one timer per thread at most).
 */
#ifndef RT_HRTIMER_H
#define RT_HRTIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/list.h>

struct rt_hrtimer;
typedef void (*rt_hrtimer_fn)(struct rt_hrtimer *timer);

struct rt_hrtimer {
	struct rt_list node; /* in the CPU's queue; protected by its timer_lock */
	uint64_t expires_ns;
	uint64_t fired_ns; /* when the interrupt last found it expired (latency probes) */
	rt_hrtimer_fn fn;
	uint8_t cpu; /* queue the timer sits in */
};

void rt_hrtimer_init(struct rt_hrtimer *timer, rt_hrtimer_fn fn);
/* (Re)arms on this CPU at absolute `expires_ns`. Like Linux, it does not
 * wait for a callback still running on another CPU (that one may overlap
 * the next run): call rt_hrtimer_cancel first where that matters. */
void rt_hrtimer_start(struct rt_hrtimer *timer, uint64_t expires_ns);
/*
 * Returns true when the timer was queued (its callback will not run). When
 * its callback is running on another CPU, waits until it has returned (like
 * Linux's hrtimer_cancel), so the caller must not hold a lock the callback
 * takes. From the callback itself it does not wait.
 */
bool rt_hrtimer_cancel(struct rt_hrtimer *timer);
/* The same without waiting: 1 dequeued, 0 not queued, -1 its callback is
 * running on another CPU (it may still act: it must revalidate). */
int rt_hrtimer_try_to_cancel(struct rt_hrtimer *timer);
/* Inline: every wake-up and every switch asks it. */
static inline bool rt_hrtimer_queued(const struct rt_hrtimer *timer)
{
	return rt_list_linked(&timer->node);
}
/* The arch timer interrupt: runs every expired callback, reprograms. */
void rt_timer_interrupt(void);
uint64_t rt_now_ns(void);

#endif
