/*
 * Tickless high-resolution timers: per-CPU queue sorted by expiry (FIFO among
 * equal expiries); the one-shot hardware timer is programmed for the head.
 * Invariant: c->programmed_ns is what the hardware was last told. Callbacks
 * run without timer_lock, so they may take rt_wait_lock (order: wait, timer).
 */
#include <rt/hrtimer.h>
#include <rt/sched.h>
#include <rtarch/cpu.h>
#include <rtarch/timer.h>

void rt_hrtimer_init(struct rt_hrtimer *timer, rt_hrtimer_fn fn)
{
	rt_list_init(&timer->node);
	timer->expires_ns = RT_TIME_NEVER;
	timer->fn = fn;
	timer->cpu = 0;
}

uint64_t rt_now_ns(void)
{
	return rtarch_now_ns();
}

/* timer_lock of this CPU held. */
static void program_head(struct rt_cpu *c)
{
	uint64_t next = RT_TIME_NEVER;

	if (!rt_list_empty(&c->timers))
		next = rt_container_of(c->timers.next, struct rt_hrtimer, node)->expires_ns;
	if (next != c->programmed_ns) {
		c->programmed_ns = next;
		rtarch_timer_program(next);
	}
}

bool rt_hrtimer_cancel(struct rt_hrtimer *timer)
{
	struct rt_cpu *c = &rt_cpus[timer->cpu];
	unsigned long flags = rt_raw_lock_irqsave(&c->timer_lock);
	bool queued = rt_list_linked(&timer->node);

	if (queued) {
		rt_list_del(&timer->node);
		/* Another CPU's hardware cannot be reached from here: it takes one
		 * spurious interrupt, finds nothing due and reprograms itself. */
		if (c->id == rtarch_cpu_id())
			program_head(c);
	}
	rt_raw_unlock_irqrestore(&c->timer_lock, flags);
	return queued;
}

void rt_hrtimer_start(struct rt_hrtimer *timer, uint64_t expires_ns)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];
	struct rt_list *pos;
	unsigned long flags;

	rt_hrtimer_cancel(timer);
	flags = rt_raw_lock_irqsave(&c->timer_lock);
	timer->expires_ns = expires_ns;
	timer->cpu = (uint8_t)c->id;
	rt_list_for_each (pos, &c->timers)
		if (rt_container_of(pos, struct rt_hrtimer, node)->expires_ns > expires_ns)
			break;
	rt_list_insert_before(pos, &timer->node);
	program_head(c);
	rt_raw_unlock_irqrestore(&c->timer_lock, flags);
}

bool rt_hrtimer_queued(const struct rt_hrtimer *timer)
{
	return rt_list_linked(&timer->node);
}

void rt_timer_interrupt(void)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];
	unsigned long flags = rt_raw_lock_irqsave(&c->timer_lock);

	c->programmed_ns = RT_TIME_NEVER; /* the one-shot has fired */
	while (!rt_list_empty(&c->timers)) {
		struct rt_hrtimer *t = rt_container_of(c->timers.next, struct rt_hrtimer, node);
		uint64_t now = rtarch_now_ns();

		if (t->expires_ns > now)
			break;
		t->fired_ns = now;
		rt_list_del(&t->node);
		rt_raw_unlock_irqrestore(&c->timer_lock, flags);
		t->fn(t);
		flags = rt_raw_lock_irqsave(&c->timer_lock);
	}
	program_head(c);
	rt_raw_unlock_irqrestore(&c->timer_lock, flags);
}
