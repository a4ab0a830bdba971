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

void rt_raw_spin_lock(struct rt_raw_spinlock *lock);
void rt_raw_spin_unlock(struct rt_raw_spinlock *lock);
bool rt_raw_spin_is_locked(const struct rt_raw_spinlock *lock);

/* Masks interrupts, takes the lock, and opens an irq-off span at `site` if
 * interrupts were on (else the section is part of the span already open). */
unsigned long rt_raw_lock_irqsave_at(struct rt_raw_spinlock *lock, struct rt_csite *site);
void rt_raw_unlock_irqrestore(struct rt_raw_spinlock *lock, unsigned long flags);
#define rt_raw_lock_irqsave(lock) rt_raw_lock_irqsave_at((lock), RT_CSITE(RT_CSECTION_IRQOFF))

/* Measured irq-off / preempt-off sections without a lock. */
unsigned long rt_irq_off_at(struct rt_csite *site);
void rt_irq_on(unsigned long flags);
#define rt_irq_off() rt_irq_off_at(RT_CSITE(RT_CSECTION_IRQOFF))
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
void rt_csection_irq_entry(struct rt_csite *site, uint64_t entry_cycles);
void rt_csection_irq_return(void);

/* Copies up to `max` sites, longest section first; returns how many. */
unsigned rt_csection_table(struct rt_csection_stat *out, unsigned max);
void rt_csection_reset(void);

#endif
