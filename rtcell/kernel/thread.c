/*
 * Thread life cycle, priorities, sleeps and periodic release.
 * Blocking rule of the whole kernel: after sched_block() a primitive only
 * returns what it gives; the waker has already completed the operation
 * (hand-off). That keeps wake-up paths short and lets the host port run the
 * real code without real stacks.
 */
#include <rt/errno.h>
#include <rt/rtmutex.h>
#include <rt/sched.h>
#include <rt/thread.h>
#include <rtarch/cpu.h>
#include <rtarch/switch.h>
#include <rtarch/timer.h>

int rt_thread_create(struct rt_thread *t, const struct rt_thread_attr *attr)
{
	if (attr->prio < RT_PRIO_MIN || attr->prio > RT_PRIO_MAX || attr->cpu >= rt_ncpus ||
	    attr->policy > RT_SCHED_RR)
		return -RT_EINVAL;
	*t = (struct rt_thread){ 0 };
	t->name = attr->name;
	t->base_prio = t->prio = attr->prio;
	t->policy = attr->policy;
	t->cpu = t->next_cpu = attr->cpu;
	t->state = RT_THREAD_SUSPENDED;
	t->slice_ns = attr->slice_ns ? attr->slice_ns : RT_DEFAULT_SLICE_NS;
	t->entry = attr->entry;
	t->arg = attr->arg;
	t->stack = attr->stack;
	t->stack_size = attr->stack_size;
	rt_list_init(&t->rq_node);
	rt_list_init(&t->pi_mutexes);
	rt_list_init(&t->pi_defer_node);
	rt_list_init(&t->wait.node);
	t->wait.thread = t;
	rt_hrtimer_init(&t->timer, rt_thread_timer_fn);
	rtarch_thread_setup(t);
	return 0;
}

int rt_thread_start(struct rt_thread *t)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	int ret = 0;

	if (t->state == RT_THREAD_SUSPENDED)
		sched_wake(t, 0);
	else
		ret = -RT_EINVAL;
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return ret;
}

int rt_thread_exit(void)
{
	struct rt_thread *self = rt_thread_self();
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);

	if (!rt_list_empty(&self->pi_mutexes)) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EBUSY;
	}
	self->state = RT_THREAD_DEAD;
	self->swap_retval = -RT_EINPROGRESS;
	return sched_block(flags);
}

int rt_thread_set_priority(struct rt_thread *t, unsigned prio)
{
	unsigned long flags;

	if (prio < RT_PRIO_MIN || prio > RT_PRIO_MAX || t->is_idle)
		return -RT_EINVAL;
	flags = rt_raw_lock_irqsave(&rt_wait_lock);
	t->base_prio = (uint8_t)prio;
	rtmutex_update_prio(t, &flags);
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}

int rt_sleep_until(uint64_t abs_ns)
{
	struct rt_thread *self = rt_thread_self();
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);

	if (abs_ns <= rtarch_now_ns()) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return 0;
	}
	self->state = RT_THREAD_SLEEPING;
	self->sleep_retval = 0;
	self->swap_retval = -RT_EINPROGRESS;
	rt_hrtimer_start(&self->timer, abs_ns);
	return sched_block(flags);
}

static uint64_t deadline_after(uint64_t rel_ns)
{
	uint64_t now = rtarch_now_ns();

	return rel_ns >= RT_TIME_NEVER - now ? RT_TIME_NEVER : now + rel_ns;
}

int rt_sleep(uint64_t rel_ns)
{
	return rt_sleep_until(deadline_after(rel_ns));
}

void rt_thread_prepare_block(struct rt_thread *t, uint64_t timeout_ns)
{
	t->state = RT_THREAD_BLOCKED;
	t->swap_retval = -RT_EINPROGRESS;
	if (timeout_ns != RT_FOREVER)
		rt_hrtimer_start(&t->timer, deadline_after(timeout_ns));
}

int rt_periodic_start_at(uint64_t first_release_ns, uint64_t period_ns)
{
	struct rt_thread *self = rt_thread_self();

	if (period_ns == 0)
		return -RT_EINVAL;
	self->period_ns = period_ns;
	self->next_release_ns = first_release_ns;
	return 0;
}

int rt_periodic_start(uint64_t period_ns)
{
	return rt_periodic_start_at(rtarch_now_ns() + period_ns, period_ns);
}

int rt_periodic_wait(void)
{
	struct rt_thread *self = rt_thread_self();
	uint64_t release = self->next_release_ns, now = rtarch_now_ns();

	if (self->period_ns == 0)
		return -RT_EINVAL;
	if (now < release) {
		self->next_release_ns = release + self->period_ns;
		return rt_sleep_until(release);
	}
	/* Release points `release`, `release + P`, ... up to now passed while the
	 * thread was busy: count them, run at once, aim at the first future one. */
	uint64_t missed = (now - release) / self->period_ns + 1;

	self->overruns += missed;
	self->next_release_ns = release + missed * self->period_ns;
	return missed > 0x7fffffff ? 0x7fffffff : (int)missed;
}

void rt_thread_timer_fn(struct rt_hrtimer *timer)
{
	struct rt_thread *t = rt_container_of(timer, struct rt_thread, timer);
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);

	/* Revalidate: the thread may have been woken since the timer fired (its
	 * waker could not wait for this callback: it holds rt_wait_lock), and
	 * even have armed the timer again to sleep or wait anew. This firing
	 * counts only for the current arming: the timer is not queued again. */
	if (rt_hrtimer_queued(timer)) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return;
	}
	if (t->state == RT_THREAD_SLEEPING)
		sched_wake(t, t->sleep_retval);
	else if (t->state == RT_THREAD_BLOCKED && t->wait.q && t->wait.timed && t->wait.q->ops &&
		 t->wait.q->ops->timeout)
		t->wait.q->ops->timeout(&t->wait, &flags);
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
}
