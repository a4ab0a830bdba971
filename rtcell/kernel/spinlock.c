/*
 * Raw ticket spinlocks and the per-call-site record of the longest
 * interrupts-off and preemption-off spans. An interrupts-off span runs from
 * the moment interrupts really became masked to the moment they are really
 * unmasked: a section opened with interrupts already masked (a lock inside
 * an interrupt handler, a nested irqsave) is part of the span around it, and
 * exception entry opens a span of its own (rt_csection_irq_entry) that ends
 * at the exception's return or wherever the next thread unmasks.
 * Limit: a span opened by one thread and closed by the next after a context
 * switch is charged to the site that opened it, which is the truth.
 */
#include <rt/config.h>
#include <rt/sched.h>
#include <rt/spinlock.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <rtarch/timer.h>

struct rt_csection_cpu rt_csection_cpus[RT_MAX_CPUS];
static struct rt_csite *site_list;

bool rt_raw_spin_is_locked(const struct rt_raw_spinlock *lock)
{
	return __atomic_load_n(&lock->serving, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

static void site_register(struct rt_csite *site)
{
	if (__atomic_load_n(&site->registered, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&site->registered, 1, __ATOMIC_ACQ_REL))
		return;
	struct rt_csite *head = __atomic_load_n(&site_list, __ATOMIC_ACQUIRE);

	do {
		site->next = head;
	} while (!__atomic_compare_exchange_n(&site_list, &head, site, false, __ATOMIC_RELEASE,
					      __ATOMIC_ACQUIRE));
}

static void site_record(struct rt_csite *site, uint64_t cycles)
{
	uint64_t max = __atomic_load_n(&site->max_cycles, __ATOMIC_RELAXED);

	site_register(site);
	__atomic_fetch_add(&site->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&site->total_cycles, cycles, __ATOMIC_RELAXED);
	while (cycles > max && !__atomic_compare_exchange_n(&site->max_cycles, &max, cycles, false,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void irq_span_open(struct rt_csite *site, uint64_t start)
{
	struct rt_csection_cpu *cs = &rt_csection_cpus[rtarch_cpu_id()];

	cs->irq_site = site;
	cs->irq_start = start;
}

/* Interrupts are about to be unmasked: the open span ends here. Every
 * masking but the idle loop's WFI (not a latency) opens one. */
void rt_csection_irq_span_close(void)
{
	struct rt_csection_cpu *cs = &rt_csection_cpus[rtarch_cpu_id()];
	struct rt_csite *site = cs->irq_site;

	if (!site)
		rtarch_panic("interrupts unmasked without rt_irq_off or interrupt entry");
	cs->irq_site = NULL;
	site_record(site, rtarch_cycles() - cs->irq_start);
}

void rt_csection_irq_span_open(struct rt_csite *site)
{
	irq_span_open(site, rtarch_cycles());
}

void rt_csection_irq_return(void)
{
	rt_csection_irq_span_close();
}

void rt_preempt_disable_at(struct rt_csite *site)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];
	struct rt_csection_cpu *cs = &rt_csection_cpus[c->id];

	if (c->preempt_count++ == 0) {
		cs->preempt_site = site;
		cs->preempt_start = rtarch_cycles();
	}
}

void rt_preempt_enable_no_resched(void)
{
	struct rt_cpu *c = &rt_cpus[rtarch_cpu_id()];
	struct rt_csection_cpu *cs = &rt_csection_cpus[c->id];

	if (c->preempt_count == 0)
		rtarch_panic("rt_preempt_enable without rt_preempt_disable");
	if (--c->preempt_count == 0 && cs->preempt_site)
		site_record(cs->preempt_site, rtarch_cycles() - cs->preempt_start);
}

void rt_preempt_enable(void)
{
	rt_preempt_enable_no_resched();
	sched_resched();
}

unsigned rt_csection_table(struct rt_csection_stat *out, unsigned max)
{
	unsigned n = 0;

	for (struct rt_csite *s = __atomic_load_n(&site_list, __ATOMIC_ACQUIRE); s && n < max;
	     s = s->next) {
		struct rt_csection_stat st = {
			.func = s->func,
			.line = s->line,
			.kind = s->kind,
			.count = s->count,
			.max_cycles = s->max_cycles,
			.total_cycles = s->total_cycles,
		};
		/* Insertion sort: the table is small and read rarely. */
		unsigned i = n++;

		while (i > 0 && out[i - 1].max_cycles < st.max_cycles) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = st;
	}
	return n;
}

void rt_csection_reset(void)
{
	for (struct rt_csite *s = site_list; s; s = s->next)
		s->count = s->max_cycles = s->total_cycles = 0;
	for (unsigned i = 0; i < RT_MAX_CPUS; i++)
		rt_csection_cpus[i] = (struct rt_csection_cpu){ 0 };
}
