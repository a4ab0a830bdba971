/*
 * PI chain walks out of interrupt context. A walk started in an interrupt (a
 * waiter's timeout, or rt_thread_set_priority / rt_cond_signal /
 * rt_mutex_destroy called from a handler) would run with the interrupt's
 * mask for its whole length, so the windows between hops (rtmutex.c, step 8)
 * would never open. Instead the interrupt queues the walk's first thread on
 * its CPU's PI worker, a kernel thread at RT_PRIO_MAX, which walks in thread
 * context as soon as the interrupt returns (PREEMPT_RT, too, runs such work
 * in threads; Linux lets a timed-out waiter deboost the chain itself).
 * Every walk recomputes from the current state, so a late or repeated walk
 * only repeats a right answer.
 * Invariant: a thread sits in at most one CPU's pi_deferred list, and only
 * while rt_wait_lock is held or its walk is due (rt_wait_lock guards the lists).
 * Limit: until the worker has run, the chain keeps its old priorities (a
 * deboost is late by one context switch, never lost, never cut).
 */
#include <rt/errno.h>
#include <rt/rtmutex.h>
#include <rt/sched.h>
#include <rt/thread.h>
#include <rtarch/cpu.h>

#define PI_WORKER_STACK_BYTES 8192

static uint8_t worker_stacks[RT_MAX_CPUS][PI_WORKER_STACK_BYTES] __attribute__((aligned(16)));

static void pi_worker_main(void *arg)
{
	(void)arg;
	for (;;)
		rt_pi_worker_run();
}

void pi_worker_init(struct rt_cpu *c)
{
	const struct rt_thread_attr a = {
		.name = "pi-worker",
		.prio = RT_PRIO_MAX,
		.cpu = (uint8_t)c->id,
		.policy = RT_SCHED_FIFO,
		.entry = pi_worker_main,
		.stack = worker_stacks[c->id],
		.stack_size = PI_WORKER_STACK_BYTES,
	};

	rt_list_init(&c->pi_deferred);
	/* Created suspended: the first deferral wakes it (no IPI at boot). */
	if (rt_thread_create(&c->pi_worker, &a))
		rtarch_panic("pi_worker_init: cannot create the PI worker");
}

void pi_worker_defer(struct rt_thread *t)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];

	if (!rt_list_linked(&t->pi_defer_node))
		rt_list_add_tail(&c->pi_deferred, &t->pi_defer_node);
	sched_wake(&c->pi_worker, 0);
}

void rt_pi_worker_run(void)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);

	/* The walks drop the lock between hops: take the head afresh each time. */
	while (!rt_list_empty(&c->pi_deferred)) {
		struct rt_thread *t =
			rt_container_of(c->pi_deferred.next, struct rt_thread, pi_defer_node);

		rt_list_del(&t->pi_defer_node);
		rtmutex_walk_from(t, &flags);
	}
	c->pi_worker.state = RT_THREAD_SUSPENDED; /* parked until the next deferral */
	c->pi_worker.swap_retval = -RT_EINPROGRESS;
	sched_block(flags);
}
