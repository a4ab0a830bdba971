/*
 * Ticket lock for the hypervisor's few shared paths: boot, the console (also
 * cells' console hypercalls) and GIC distributor read-modify-writes. Fair (FIFO)
 * so no CPU starves. Never on a direct cell's steady-state path, which makes no
 * hypervisor entry (docs/design.md, I5).
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <arch/arch_cpu.h>
#include <lib/types.h>

struct spinlock {
	uint32_t next;
	uint32_t serving;
};

#define SPINLOCK_INIT \
	{ \
		0, 0 \
	}

static inline void spin_lock(struct spinlock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

/* Takes the lock only if nobody holds or waits for it; never waits. */
static inline bool spin_trylock(struct spinlock *lock)
{
	uint32_t free = __atomic_load_n(&lock->serving, __ATOMIC_RELAXED);

	return __atomic_compare_exchange_n(&lock->next, &free, free + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->serving, lock->serving + 1, __ATOMIC_RELEASE);
}

#endif
