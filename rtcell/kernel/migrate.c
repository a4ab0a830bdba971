/*
 * Migrate-disable and re-pinning. Per-CPU data is safe under migrate-disable:
 * the thread may be preempted, block or sleep but always resumes on the same
 * CPU, so two threads on one CPU still need a lock for shared per-CPU state
 * (PREEMPT_RT uses local_lock for that). A re-pin of a migrate-disabled thread,
 * in any state, waits for the count to reach zero (like Linux). A re-pin of a
 * thread that is its CPU's current one waits until it has left that CPU, even
 * when it is already marked blocked (during its own chain walk): moving it
 * earlier would let a wake-up queue it on a second CPU while the first still
 * runs it.
 */
#include <rt/errno.h>
#include <rt/migrate.h>
#include <rt/sched.h>
#include <rtarch/irq.h>

void rt_percpu_check(void)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];

	if (!c->current->migrate_disabled && !c->preempt_count && !c->irq_nesting &&
	    !c->current->is_idle && !rtarch_irqs_disabled())
		rtarch_panic("per-CPU data used by a thread that may migrate");
}

void rt_migrate_disable(void)
{
	rt_thread_self()->migrate_disabled++;
}

void rt_migrate_enable(void)
{
	struct rt_thread *self = rt_thread_self();

	if (self->migrate_disabled == 0)
		rtarch_panic("rt_migrate_enable without rt_migrate_disable");
	/* A re-pin requested meanwhile happens now: sched_resched sees it. */
	if (--self->migrate_disabled == 0 && self->next_cpu != self->cpu)
		sched_resched();
}

int rt_thread_set_cpu(struct rt_thread *t, unsigned cpu)
{
	unsigned long flags;
	struct rt_cpu *c;
	bool kick = false;

	if (cpu >= rt_ncpus || t->is_idle)
		return -RT_EINVAL;
	flags = rt_raw_lock_irqsave(&rt_wait_lock);
	c = &rt_cpus[t->cpu];
	rt_raw_spin_lock(&c->rq_lock);
	if (t->migrate_disabled || c->current == t ||
	    (t->state == RT_THREAD_READY && !rt_list_linked(&t->rq_node))) {
		/* Record, and let the move happen at the first point where it may:
		 * switch-out, wake-up (sched.c) or migrate-enable. (Ready but in no
		 * queue: its old CPU is moving it right now, switch_locked's
		 * `away`, and reads next_cpu when it queues it.) */
		t->next_cpu = (uint8_t)cpu;
		kick = t->state == RT_THREAD_RUNNING && !t->migrate_disabled &&
		       c->id != rtarch_cpu_id() && cpu != c->id;
		rt_raw_spin_unlock(&c->rq_lock);
	} else {
		rt_raw_spin_unlock(&c->rq_lock);
		sched_move(t, cpu);
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	if (kick)
		rtarch_ipi_resched(c->id);
	sched_resched();
	return 0;
}
