/*
 * Threaded interrupts: the hard handler only drops the priority and wakes the
 * handler thread; the thread runs the handler at its own priority and then
 * deactivates the line (split EOI), so the line cannot fire again meanwhile.
 */
#ifndef RT_IRQ_H
#define RT_IRQ_H

#include <stdint.h>
#include <rt/thread.h>
#include <rt/waitq.h>

typedef void (*rt_irq_handler)(void *arg);

struct rt_irq_desc {
	unsigned irq;
	struct rt_thread *thread; /* NULL: plain hard handler */
	rt_irq_handler handler;
	void *arg;
	uint32_t pending; /* deliveries not yet handled; rt_wait_lock */
	uint64_t handled;
	struct rt_waitq wait; /* the handler thread waits here */
};

/* Binds `irq` to `handler`, run by thread `t` created here from `attr` (name,
 * priority, CPU, stack; entry and arg are the kernel's) and started. */
int rt_irq_request_threaded(struct rt_irq_desc *d, unsigned irq, rt_irq_handler handler, void *arg,
			    struct rt_thread *t, const struct rt_thread_attr *attr);
/* Binds `irq` to a plain hard handler (acknowledged completely after it). */
int rt_irq_request(struct rt_irq_desc *d, unsigned irq, rt_irq_handler handler, void *arg);
/* Forgets every binding (kernel init). */
void rt_irq_reset(void);
/* Arch interrupt entry for a device line (inside rt_irq_enter/exit). */
void rt_irq_dispatch(unsigned irq);
/* Handler-thread steps: wait for a delivery, then handle it. */
int rt_irq_thread_wait(struct rt_irq_desc *d);
void rt_irq_thread_handle(struct rt_irq_desc *d);

#endif
