/*
 * Threads: fixed base priority, effective priority (base raised by priority
 * inheritance), pinned to one CPU of the cell. Threads are statically
 * allocated by their creator and must outlive every object that names them.
 */
#ifndef RT_THREAD_H
#define RT_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <rt/config.h>
#include <rt/hrtimer.h>
#include <rt/list.h>
#include <rt/waitq.h>

enum rt_thread_state {
	RT_THREAD_SUSPENDED = 0, /* created, not started */
	RT_THREAD_READY, /* in its CPU's run queue */
	RT_THREAD_RUNNING, /* its CPU's current thread */
	RT_THREAD_BLOCKED, /* thread->wait sits in some wait queue */
	RT_THREAD_SLEEPING, /* its timer will wake it */
	RT_THREAD_DEAD,
};

enum rt_sched_policy {
	RT_SCHED_FIFO = 0,
	RT_SCHED_RR = 1,
};

struct rt_thread {
	const char *name;
	uint8_t base_prio; /* rt_wait_lock */
	uint8_t prio; /* effective: max(base, top waiters); rt_wait_lock */
	uint8_t rq_prio; /* run-queue key, own copy; CPU's rq_lock */
	uint8_t policy;
	uint8_t state; /* rq_lock; into/out of BLOCKED also rt_wait_lock */
	uint8_t cpu; /* CPU it is pinned to (runs and queues there) */
	uint8_t next_cpu; /* pending re-pin, applied when it may migrate */
	uint8_t is_idle;
	uint8_t on_cpu; /* registers live on a CPU; cleared by the port */
	uint16_t migrate_disabled; /* nesting count, only the thread itself changes it */
	struct rt_list rq_node;
	struct rt_waiter wait;
	struct rt_list pi_mutexes; /* owned mutexes that have waiters; rt_wait_lock */
	struct rt_list pi_defer_node; /* in a CPU's pi_deferred (pi_worker.c); rt_wait_lock */
	int swap_retval; /* what the blocking call returns; set by the waker */
	int sleep_retval; /* what a sleep returns when its timer wakes it */
	struct rt_hrtimer timer; /* timeouts and sleeps */
	uint64_t slice_ns; /* RR time slice */
	uint64_t period_ns;
	uint64_t next_release_ns;
	uint64_t overruns; /* total release points missed */
	void (*entry)(void *arg);
	void *arg;
	void *stack;
	size_t stack_size;
	uintptr_t arch_ctx[16]; /* callee-saved context, owned by the arch port */
};

struct rt_thread_attr {
	const char *name;
	uint8_t prio;
	uint8_t cpu;
	uint8_t policy; /* RT_SCHED_FIFO or RT_SCHED_RR */
	uint64_t slice_ns; /* RR only; 0 = RT_DEFAULT_SLICE_NS */
	void (*entry)(void *arg);
	void *arg;
	void *stack;
	size_t stack_size;
};

/* Initialises `t` suspended; rt_thread_start() makes it ready. */
int rt_thread_create(struct rt_thread *t, const struct rt_thread_attr *attr);
int rt_thread_start(struct rt_thread *t);
/* The caller ends; it must hold no mutex that others wait for. */
int rt_thread_exit(void);
/* Changes the base priority; inheritance is recomputed along the chain. */
int rt_thread_set_priority(struct rt_thread *t, unsigned prio);
struct rt_thread *rt_thread_self(void);

int rt_sleep_until(uint64_t abs_ns);
int rt_sleep(uint64_t rel_ns);
/* Periodic release points at start + k * period_ns, starting one period
 * after the call. */
int rt_periodic_start(uint64_t period_ns);
/* The same, with the first release point at `first_release_ns` (absolute). */
int rt_periodic_start_at(uint64_t first_release_ns, uint64_t period_ns);
/*
 * Waits for the next release point. Returns 0 after sleeping to it, or,
 * when release points passed while the thread was busy, their number (> 0)
 * at once without sleeping; the next period then starts at the first future
 * release point.
 */
int rt_periodic_wait(void);

/* Internal to the kernel, under rt_wait_lock with `t`'s waiter queued: marks
 * it blocked and, unless `timeout_ns` is RT_FOREVER, arms its timer that far
 * ahead. The caller then calls sched_block(). */
void rt_thread_prepare_block(struct rt_thread *t, uint64_t timeout_ns);
/* Internal to the kernel: the thread's timer fired. */
void rt_thread_timer_fn(struct rt_hrtimer *timer);

#endif
