/*
 * Per-CPU scheduler state: an O(1) ready queue (bitmap + FIFO list per
 * priority), the current thread, the idle thread, the timer queue.
 * Invariant: the current thread is never in the ready queue; after every
 * preemption point no ready thread on a CPU outranks its current thread.
 */
#ifndef RT_SCHED_H
#define RT_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/config.h>
#include <rt/runqueue.h>
#include <rt/spinlock.h>
#include <rt/thread.h>

struct rt_cpu {
	unsigned id;
	struct rt_raw_spinlock rq_lock;
	struct rt_runqueue rq;
	struct rt_thread *current; /* rq_lock */
	struct rt_thread idle;
	uint32_t preempt_count; /* this CPU only */
	uint32_t irq_nesting; /* this CPU only */
	bool rotate_pending; /* RR slice expired; rq_lock */
	struct rt_raw_spinlock timer_lock;
	struct rt_list timers; /* timer_lock */
	uint64_t programmed_ns; /* timer_lock */
	struct rt_hrtimer *running_timer; /* callback running on this CPU; timer_lock */
	struct rt_hrtimer slice_timer;
	/* Chain walks that an interrupt started run here (pi_worker.c). */
	struct rt_thread pi_worker;
	struct rt_list pi_deferred; /* threads whose walk is due; rt_wait_lock */
	uint64_t switches;
	uint64_t ipis_received;
};

extern struct rt_cpu rt_cpus[RT_MAX_CPUS];
extern unsigned rt_ncpus;

/* Resets every kernel object of the cell: CPUs, idle threads, queues. */
void rt_kernel_init(unsigned ncpus);

static inline struct rt_thread *rt_cpu_current(unsigned cpu)
{
	return rt_cpus[cpu].current;
}

void rt_yield(void);
/* Reschedule-IPI handler; the switch itself happens at interrupt exit. */
void rt_sched_ipi(void);
/* The port's interrupt entry and exit, with interrupts masked. Inline: it
 * is on every interrupt's path. */
static inline void rt_irq_enter(void)
{
	rt_cpus[rtarch_cpu_id()].irq_nesting++;
}
/* Reschedules when the outermost handler ends (may switch threads). */
void rt_irq_exit(void);
/* Body of each CPU's idle thread on a real port. */
__attribute__((noreturn)) void rt_idle_loop(void);
/* One round of this CPU's PI worker (its current thread): runs every
 * deferred chain walk, then parks it. The port's thread body loops on it;
 * the host port calls it whenever a worker is its CPU's current thread. */
void rt_pi_worker_run(void);

/* Kernel-internal (rtcell/kernel only). */
void sched_wake(struct rt_thread *t, int retval);
int sched_block(unsigned long wait_flags);
void sched_prio_changed(struct rt_thread *t);
void sched_resched(void);
void sched_move(struct rt_thread *t, unsigned cpu);
/* True inside an interrupt handler on this CPU. */
bool sched_in_interrupt(void);
void pi_worker_init(struct rt_cpu *c);
/* Under rt_wait_lock, in interrupt context: `t`'s chain walk is due; this
 * CPU's PI worker will run it. */
void pi_worker_defer(struct rt_thread *t);

#endif
