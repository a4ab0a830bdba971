/*
 * Interrupt core: dispatch to plain or threaded handlers. A threaded line's
 * hard handler only drops the running priority and wakes the handler thread;
 * the line stays active (so it cannot fire again) until the thread has run
 * the handler and deactivated it. Limit: one handler per line, no sharing.
 */
#include <rt/errno.h>
#include <rt/irq.h>
#include <rt/sched.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>

static struct rt_irq_desc *irq_table[RT_MAX_IRQS];
static const struct rt_waitq_ops irq_wait_ops = { 0 };

void rt_irq_reset(void)
{
	for (unsigned i = 0; i < RT_MAX_IRQS; i++)
		irq_table[i] = NULL;
}

static void irq_thread_main(void *arg)
{
	struct rt_irq_desc *d = arg;

	for (;;) {
		if (rt_irq_thread_wait(d) == 0)
			rt_irq_thread_handle(d);
	}
}

static int desc_init(struct rt_irq_desc *d, unsigned irq, rt_irq_handler handler, void *arg)
{
	if (irq >= RT_MAX_IRQS || !handler)
		return -RT_EINVAL;
	if (irq_table[irq])
		return -RT_EBUSY;
	*d = (struct rt_irq_desc){ .irq = irq, .handler = handler, .arg = arg };
	rt_waitq_init(&d->wait, RT_WAITQ_IRQ, &irq_wait_ops);
	return 0;
}

int rt_irq_request(struct rt_irq_desc *d, unsigned irq, rt_irq_handler handler, void *arg)
{
	int ret = desc_init(d, irq, handler, arg);

	if (ret)
		return ret;
	irq_table[irq] = d;
	rtarch_irq_line_enable(irq, rtarch_cpu_id());
	return 0;
}

int rt_irq_request_threaded(struct rt_irq_desc *d, unsigned irq, rt_irq_handler handler, void *arg,
			    struct rt_thread *t, const struct rt_thread_attr *attr)
{
	struct rt_thread_attr a = *attr;
	int ret = desc_init(d, irq, handler, arg);

	if (ret)
		return ret;
	a.policy = RT_SCHED_FIFO;
	a.entry = irq_thread_main;
	a.arg = d;
	d->thread = t;
	ret = rt_thread_create(t, &a);
	if (ret)
		return ret;
	irq_table[irq] = d;
	rtarch_irq_line_enable(irq, a.cpu);
	return rt_thread_start(t);
}

void rt_irq_dispatch(unsigned irq)
{
	struct rt_irq_desc *d = irq < RT_MAX_IRQS ? irq_table[irq] : NULL;
	unsigned long flags;
	struct rt_waiter *w;

	if (!d || !d->thread) {
		if (d) {
			d->handler(d->arg);
			d->handled++;
		}
		rtarch_irq_priority_drop(irq);
		rtarch_irq_deactivate(irq);
		return;
	}
	rtarch_irq_priority_drop(irq); /* acknowledge only */
	flags = rt_raw_lock_irqsave(&rt_wait_lock);
	w = rt_waitq_top(&d->wait);
	if (w) {
		rt_waitq_remove(w);
		sched_wake(w->thread, 0);
	} else {
		d->pending++;
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
}

int rt_irq_thread_wait(struct rt_irq_desc *d)
{
	struct rt_thread *self = rt_thread_self();
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_waiter *w = &self->wait;

	if (self != d->thread) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EPERM;
	}
	if (d->pending) {
		d->pending--;
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return 0;
	}
	w->key = self->prio;
	w->timed = false;
	w->acquire = true;
	w->data = NULL;
	rt_waitq_insert(&d->wait, w);
	self->state = RT_THREAD_BLOCKED;
	self->swap_retval = -RT_EINPROGRESS;
	return sched_block(flags);
}

void rt_irq_thread_handle(struct rt_irq_desc *d)
{
	d->handler(d->arg);
	d->handled++;
	rtarch_irq_deactivate(d->irq);
}
