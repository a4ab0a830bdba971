/*
 * Tickless high-resolution timers: per-CPU queue sorted by expiry (FIFO among
 * equal expiries); the one-shot hardware timer is programmed for the head.
 * Invariant: c->programmed_ns is what the hardware was last told;
 * c->running_timer is the timer whose callback runs on c (timer_lock).
 * Callbacks run without timer_lock, so they may take rt_wait_lock (order:
 * wait, timer). Because of that, a caller holding rt_wait_lock cannot wait
 * for a running callback: it uses rt_hrtimer_try_to_cancel, and such
 * callbacks (rt_thread_timer_fn) check under rt_wait_lock that their firing
 * is still the current arming of the timer.
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

int rt_hrtimer_try_to_cancel(struct rt_hrtimer *timer)
{
	struct rt_cpu *c = &rt_cpus[timer->cpu];
	unsigned long flags = rt_raw_lock_irqsave(&c->timer_lock);
	int ret = rt_list_linked(&timer->node);

	if (ret) {
		rt_list_del(&timer->node);
		/* Another CPU's hardware cannot be reached from here: it takes one
		 * spurious interrupt, finds nothing due and reprograms itself. */
		if (c->id == rtarch_cpu_id())
			program_head(c);
	} else if (c->running_timer == timer && c->id != rtarch_cpu_id()) {
		ret = -1; /* (on this CPU: called from the callback itself) */
	}
	rt_raw_unlock_irqrestore(&c->timer_lock, flags);
	return ret;
}

bool rt_hrtimer_cancel(struct rt_hrtimer *timer)
{
	struct rt_cpu *c = &rt_cpus[timer->cpu];
	int ret = rt_hrtimer_try_to_cancel(timer);

	/* Like Linux's hrtimer_cancel: when it returns, the callback is not
	 * running either (a re-arm meanwhile moves the timer, not the wait). */
	while (ret < 0 && __atomic_load_n(&c->running_timer, __ATOMIC_ACQUIRE) == timer)
		rtarch_cpu_relax();
	return ret > 0;
}

void rt_hrtimer_start(struct rt_hrtimer *timer, uint64_t expires_ns)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];
	struct rt_list *pos;
	unsigned long flags;

	/* A callback still running elsewhere is not waited for (Linux does not
	 * either): it ran for the previous arming. */
	rt_hrtimer_try_to_cancel(timer);
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

/* Called by the port's timer interrupt, so interrupts are masked and the
 * interrupt's own span is open (rt_csection_irq_entry): timer_lock is taken
 * plainly; masking again and restoring the same masked state around each
 * section was pure cost on every timer path. */
void rt_timer_interrupt(void)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];

	rt_raw_spin_lock(&c->timer_lock);
	c->programmed_ns = RT_TIME_NEVER; /* the one-shot has fired */
	while (!rt_list_empty(&c->timers)) {
		struct rt_hrtimer *t = rt_container_of(c->timers.next, struct rt_hrtimer, node);
		uint64_t now = rtarch_now_ns();

		if (t->expires_ns > now)
			break;
		t->fired_ns = now;
		rt_list_del(&t->node);
		c->running_timer = t;
		rt_raw_spin_unlock(&c->timer_lock);
		t->fn(t);
		rt_raw_spin_lock(&c->timer_lock);
		__atomic_store_n(&c->running_timer, NULL, __ATOMIC_RELEASE);
	}
	program_head(c);
	rt_raw_spin_unlock(&c->timer_lock);
}
