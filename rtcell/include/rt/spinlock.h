/*
 * Raw spinlocks (scheduler and interrupt core only) and the measurement of
 * interrupts-off / preemption-off sections per call site.
 * Invariant: a raw lock is held with interrupts masked and never across a
 * blocking call. Limit: site statistics are updated without a lock (relaxed
 * atomics), so concurrent updates of one site may lose a count, never a max.
 */
#ifndef RT_SPINLOCK_H
#define RT_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/config.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>

struct rt_raw_spinlock {
	uint32_t next;
	uint32_t serving;
};

#define RT_RAW_SPINLOCK_INIT \
	{ \
		0, 0 \
	}

enum rt_csection_kind {
	RT_CSECTION_IRQOFF = 0,
	RT_CSECTION_PREEMPTOFF = 1,
};

/* One call site that opens a measured section; static storage at the site. */
struct rt_csite {
	const char *func;
	unsigned line;
	uint8_t kind;
	uint8_t registered;
	uint64_t count;
	uint64_t max_cycles;
	uint64_t total_cycles;
	struct rt_csite *next;
};

struct rt_csection_stat {
	const char *func;
	unsigned line;
	unsigned kind; /* enum rt_csection_kind */
	uint64_t count;
	uint64_t max_cycles; /* rtarch_cycles() units */
	uint64_t total_cycles;
};

#define RT_CSITE(kind_) \
	({ \
		static struct rt_csite rt_csite_ = { __func__, __LINE__, (kind_), 0, 0, 0, 0, 0 }; \
		&rt_csite_; \
	})

/*
 * The lock and masking helpers below are inline: every wake-up, block and
 * switch takes two or three of them, mostly with interrupts already masked,
 * where all they do is a masking check and a ticket. Out of line, their
 * calls and frames were a fifth of the timer -> thread path
 * (docs/measuring.md, "Where the instructions go"). What is rare (opening
 * and closing a measured span, waiting for a held lock) stays out of line.
 */

/* Per CPU: the spans open now (spinlock.c; here for the inline interrupt
 * entry below). */
struct rt_csection_cpu {
	uint64_t irq_start;
	struct rt_csite *irq_site; /* NULL: no measured span open */
	uint64_t preempt_start;
	struct rt_csite *preempt_site;
};

extern struct rt_csection_cpu rt_csection_cpus[RT_MAX_CPUS];

/* Interrupts just became masked at `site`: opens the measured span. */
void rt_csection_irq_span_open(struct rt_csite *site);
/* Interrupts are about to be unmasked: closes and records the open span. */
void rt_csection_irq_span_close(void);

static inline void rt_raw_spin_lock(struct rt_raw_spinlock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)
		rtarch_cpu_relax();
}

static inline void rt_raw_spin_unlock(struct rt_raw_spinlock *lock)
{
	__atomic_store_n(&lock->serving, lock->serving + 1, __ATOMIC_RELEASE);
}

bool rt_raw_spin_is_locked(const struct rt_raw_spinlock *lock);

/* Measured irq-off / preempt-off sections without a lock. A section opened
 * with interrupts already masked is part of the span around it. */
static inline unsigned long rt_irq_off_at(struct rt_csite *site)
{
	unsigned long flags = rtarch_irq_save();

	if (!rtarch_irq_flags_masked(flags))
		rt_csection_irq_span_open(site);
	return flags;
}

static inline void rt_irq_on(unsigned long flags)
{
	if (!rtarch_irq_flags_masked(flags))
		rt_csection_irq_span_close();
	rtarch_irq_restore(flags);
}

#define rt_irq_off() rt_irq_off_at(RT_CSITE(RT_CSECTION_IRQOFF))

/* Masks interrupts, takes the lock, and opens an irq-off span at `site` if
 * interrupts were on (else the section is part of the span already open). */
static inline unsigned long rt_raw_lock_irqsave_at(struct rt_raw_spinlock *lock,
						   struct rt_csite *site)
{
	unsigned long flags = rt_irq_off_at(site);

	rt_raw_spin_lock(lock);
	return flags;
}

static inline void rt_raw_unlock_irqrestore(struct rt_raw_spinlock *lock, unsigned long flags)
{
	rt_raw_spin_unlock(lock);
	rt_irq_on(flags);
}

#define rt_raw_lock_irqsave(lock) rt_raw_lock_irqsave_at((lock), RT_CSITE(RT_CSECTION_IRQOFF))

void rt_preempt_disable_at(struct rt_csite *site);
#define rt_preempt_disable() rt_preempt_disable_at(RT_CSITE(RT_CSECTION_PREEMPTOFF))
/* Re-enables preemption; reschedules if something more urgent became ready. */
void rt_preempt_enable(void);
void rt_preempt_enable_no_resched(void);

/*
 * Exception entry's masking, driven by the arch's interrupt entry: the span
 * opens at `site` with `entry_cycles` (rtarch_cycles() taken as early in the
 * entry as the arch can) and ends at rt_csection_irq_return(), called just
 * before the exception returns, or wherever the thread switched to unmasks.
 */
static inline void rt_csection_irq_entry(struct rt_csite *site, uint64_t entry_cycles)
{
	struct rt_csection_cpu *cs = &rt_csection_cpus[rtarch_cpu_id()];

	cs->irq_site = site;
	cs->irq_start = entry_cycles;
}
void rt_csection_irq_return(void);

/* Copies up to `max` sites, longest section first; returns how many. */
unsigned rt_csection_table(struct rt_csection_stat *out, unsigned max);
void rt_csection_reset(void);

#endif
