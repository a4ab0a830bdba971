/*
 * Fixed-priority preemptive scheduler: per-CPU run queues, FIFO and
 * round-robin at equal priority, cross-CPU wake-up by reschedule IPI.
 * Invariants: the current thread is not queued; a thread is queued only on
 * the run queue of its own CPU; a migrate-disabled thread never changes CPU
 * and a thread changes CPU only while no CPU runs it (sched_move panics
 * otherwise); lock order rt_wait_lock -> rq_lock -> timer_lock.
 * A re-pinned thread is queued on its new CPU as soon as the old one has
 * picked another thread; thread->on_cpu (cleared by the port once the old
 * CPU has saved the registers) keeps the new CPU from resuming it too early.
 */
#include <rt/errno.h>
#include <rt/irq.h>
#include <rt/rtmutex.h>
#include <rt/sched.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <rtarch/switch.h>
#include <rtarch/timer.h>

struct rt_cpu rt_cpus[RT_MAX_CPUS];
unsigned rt_ncpus;

static struct rt_cpu *this_cpu(void)
{
	return &rt_cpus[rtarch_cpu_id()];
}

struct rt_thread *rt_thread_self(void)
{
	return this_cpu()->current;
}

/* rq_lock held. */
static bool need_switch(struct rt_cpu *c)
{
	struct rt_thread *cur = c->current;

	if (cur->state != RT_THREAD_RUNNING || c->rotate_pending)
		return true;
	if (!cur->is_idle && cur->next_cpu != cur->cpu && !cur->migrate_disabled)
		return true;
	return rt_runqueue_top_prio(&c->rq) > (int)cur->prio;
}

static void enqueue_on(struct rt_thread *t, bool at_head)
{
	struct rt_cpu *c = &rt_cpus[t->cpu];
	bool kick;

	rt_raw_spin_lock(&c->rq_lock);
	if (c->current == t) {
		/* Woken between queueing itself on an object and switching away:
		 * it simply keeps running and sched_block() returns at once. */
		t->state = RT_THREAD_RUNNING;
		rt_raw_spin_unlock(&c->rq_lock);
		return;
	}
	if (t->next_cpu != t->cpu && !t->migrate_disabled) {
		/* A re-pin deferred while it was its CPU's current thread (its own
		 * chain walk, migrate.c) applies now that it is off that CPU. */
		rt_raw_spin_unlock(&c->rq_lock);
		t->cpu = t->next_cpu;
		c = &rt_cpus[t->cpu];
		rt_raw_spin_lock(&c->rq_lock);
	}
	t->state = RT_THREAD_READY;
	rt_runqueue_add(&c->rq, t, at_head);
	kick = t->prio > c->current->prio;
	rt_raw_spin_unlock(&c->rq_lock);
	/* The local CPU reschedules at its next preemption point. */
	if (kick && c->id != rtarch_cpu_id())
		rtarch_ipi_resched(c->id);
}

/* rq_lock held, interrupts masked; returns with rq_lock released. */
static void switch_locked(struct rt_cpu *c, bool to_tail)
{
	struct rt_thread *prev = c->current, *next, *away = NULL;

	if (c->rotate_pending) {
		to_tail = true;
		c->rotate_pending = false;
	}
	if (prev->state == RT_THREAD_RUNNING && !prev->is_idle) {
		prev->state = RT_THREAD_READY;
		if (prev->next_cpu != prev->cpu && !prev->migrate_disabled)
			away = prev;
		else /* preempted: keeps its place at the head of its level */
			rt_runqueue_add(&c->rq, prev, !to_tail);
	}
	next = rt_runqueue_pop(&c->rq);
	if (!next)
		next = &c->idle;
	/* Only a thread that just migrated here can still be on its old CPU:
	 * wait until that CPU has saved its registers (rtarch_context_switch). */
	while (next != prev && __atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		rtarch_cpu_relax();
	next->on_cpu = 1;
	next->state = RT_THREAD_RUNNING;
	c->current = next;
	if (next != prev)
		c->switches++;
	/* Tickless: a slice timer exists only while a round-robin thread runs.
	 * (A preempted RR thread gets a fresh slice when it runs again.) Only
	 * this CPU touches its slice timer, with interrupts masked. */
	if (next->policy == RT_SCHED_RR && !next->is_idle)
		rt_hrtimer_start(&c->slice_timer, rtarch_now_ns() + next->slice_ns);
	else if (rt_hrtimer_queued(&c->slice_timer))
		rt_hrtimer_cancel(&c->slice_timer);
	rt_raw_spin_unlock(&c->rq_lock);
	if (away) {
		away->cpu = away->next_cpu;
		enqueue_on(away, false);
	}
	if (next != prev)
		rtarch_context_switch(prev, next);
}

void sched_wake(struct rt_thread *t, int retval)
{
	if (t->state != RT_THREAD_BLOCKED && t->state != RT_THREAD_SLEEPING &&
	    t->state != RT_THREAD_SUSPENDED)
		return;
	t->swap_retval = retval;
	/* Callers hold rt_wait_lock, which the thread's timer callback takes: a
	 * callback already running is not waited for; it finds this wake-up
	 * (rt_thread_timer_fn) and does nothing. Only an arming under this lock
	 * can queue the timer, so "not queued" stays true (the wake-up from the
	 * timer itself, a wait without timeout: no timer_lock round trip). */
	if (rt_hrtimer_queued(&t->timer))
		rt_hrtimer_try_to_cancel(&t->timer);
	enqueue_on(t, false);
}

int sched_block(unsigned long wait_flags)
{
	struct rt_cpu *c = this_cpu();
	struct rt_thread *self = c->current;

	if (c->preempt_count || c->irq_nesting)
		rtarch_panic("sched_block: blocking with preemption disabled");
	rt_raw_spin_lock(&c->rq_lock);
	rt_raw_spin_unlock(&rt_wait_lock); /* interrupts stay masked */
	/* Woken already (while a chain walk had interrupts on): keep running,
	 * unless something more urgent became ready here meanwhile and its
	 * interrupt could not switch because preemption was off. */
	if (self->state == RT_THREAD_RUNNING && !need_switch(c))
		rt_raw_spin_unlock(&c->rq_lock);
	else
		switch_locked(c, false);
	rt_irq_on(wait_flags);
	return self->swap_retval;
}

void sched_prio_changed(struct rt_thread *t)
{
	struct rt_cpu *c = &rt_cpus[t->cpu];
	bool kick = false;

	rt_raw_spin_lock(&c->rq_lock);
	if (t->state == RT_THREAD_READY && rt_list_linked(&t->rq_node)) {
		/* Lowered: head of its new level (it was ahead of those); raised:
		 * tail (it arrives after those already there). */
		bool lowered = t->prio < t->rq_prio;

		rt_runqueue_remove(&c->rq, t);
		rt_runqueue_add(&c->rq, t, lowered);
		kick = t->prio > c->current->prio;
	} else if (c->current == t) {
		kick = rt_runqueue_top_prio(&c->rq) > (int)t->prio;
	}
	rt_raw_spin_unlock(&c->rq_lock);
	if (kick && c->id != rtarch_cpu_id())
		rtarch_ipi_resched(c->id);
}

/* Interrupts masked, preemption allowed. */
static void resched_masked(struct rt_cpu *c)
{
	rt_raw_spin_lock(&c->rq_lock);
	if (need_switch(c))
		switch_locked(c, false);
	else
		rt_raw_spin_unlock(&c->rq_lock);
}

void sched_resched(void)
{
	unsigned long flags;

	if (this_cpu()->preempt_count || this_cpu()->irq_nesting)
		return;
	flags = rt_irq_off();
	/* The CPU is read again once masked: before that, this thread could have
	 * been preempted and moved to another one. */
	resched_masked(this_cpu());
	rt_irq_on(flags);
}

void sched_move(struct rt_thread *t, unsigned cpu)
{
	struct rt_cpu *old = &rt_cpus[t->cpu];

	if (t->migrate_disabled || old->current == t)
		rtarch_panic("sched_move: the thread may not leave its CPU now");

	if (t->state == RT_THREAD_READY) {
		rt_raw_spin_lock(&old->rq_lock);
		rt_runqueue_remove(&old->rq, t);
		rt_raw_spin_unlock(&old->rq_lock);
		t->cpu = t->next_cpu = cpu;
		enqueue_on(t, false);
	} else {
		t->cpu = t->next_cpu = cpu;
	}
}

void rt_yield(void)
{
	unsigned long flags = rt_irq_off();
	struct rt_cpu *c = this_cpu(); /* once masked: see sched_resched */

	rt_raw_spin_lock(&c->rq_lock);
	if (rt_runqueue_top_prio(&c->rq) >= (int)c->current->prio)
		switch_locked(c, true);
	else
		rt_raw_spin_unlock(&c->rq_lock);
	rt_irq_on(flags);
}

bool sched_in_interrupt(void)
{
	return this_cpu()->irq_nesting != 0;
}

void rt_sched_ipi(void)
{
	this_cpu()->ipis_received++;
}

void rt_irq_exit(void)
{
	struct rt_cpu *c = this_cpu();

	if (c->irq_nesting == 0)
		rtarch_panic("rt_irq_exit without rt_irq_enter");
	if (!rtarch_irqs_disabled())
		rtarch_panic("rt_irq_exit with interrupts unmasked");
	/* Exception entry masked interrupts and its span is open (interrupt
	 * entry's, rt_csection_irq_entry): the reschedule needs no masking and
	 * no section of its own, unlike sched_resched from a thread. */
	if (--c->irq_nesting == 0 && c->preempt_count == 0)
		resched_masked(c);
}

/* Round-robin: the slice of the current thread ended (interrupt context). */
static void slice_expired(struct rt_hrtimer *timer)
{
	struct rt_cpu *c = rt_container_of(timer, struct rt_cpu, slice_timer);

	rt_raw_spin_lock(&c->rq_lock);
	if (c->current->policy == RT_SCHED_RR &&
	    rt_runqueue_top_prio(&c->rq) >= (int)c->current->prio)
		c->rotate_pending = true;
	rt_raw_spin_unlock(&c->rq_lock);
}

void rt_idle_loop(void)
{
	for (;;) {
		/* WFI with interrupts masked is not a latency: a pending interrupt
		 * ends it. So this section is deliberately not measured. */
		unsigned long flags = rtarch_irq_save();

		if (rt_runqueue_top_prio(&this_cpu()->rq) < 0)
			rtarch_idle();
		rtarch_irq_restore(flags);
		sched_resched();
	}
}

static void idle_entry(void *arg)
{
	(void)arg;
	rt_idle_loop();
}

void rt_kernel_init(unsigned ncpus)
{
	if (ncpus == 0 || ncpus > RT_MAX_CPUS)
		rtarch_panic("rt_kernel_init: bad CPU count");
	rt_ncpus = ncpus;
	rt_wait_lock = (struct rt_raw_spinlock)RT_RAW_SPINLOCK_INIT;
	rt_csection_reset();
	rt_pi_stats = (struct rt_pi_stats){ 0 };
	rt_irq_reset();
	for (unsigned i = 0; i < RT_MAX_CPUS; i++) {
		struct rt_cpu *c = &rt_cpus[i];
		struct rt_thread *idle = &c->idle;

		*c = (struct rt_cpu){ 0 };
		c->id = i;
		rt_runqueue_init(&c->rq);
		rt_list_init(&c->timers);
		c->programmed_ns = RT_TIME_NEVER;
		rt_hrtimer_init(&c->slice_timer, slice_expired);
		idle->name = "idle";
		idle->cpu = idle->next_cpu = (uint8_t)i;
		idle->is_idle = 1;
		idle->state = RT_THREAD_RUNNING;
		idle->on_cpu = 1;
		idle->entry = idle_entry;
		rt_list_init(&idle->rq_node);
		rt_list_init(&idle->pi_mutexes);
		rt_list_init(&idle->pi_defer_node);
		rt_list_init(&idle->wait.node);
		idle->wait.thread = idle;
		rt_hrtimer_init(&idle->timer, rt_thread_timer_fn);
		c->current = idle;
		if (i < ncpus)
			pi_worker_init(c);
	}
}
