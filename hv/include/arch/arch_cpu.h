/*
 * CPU hooks every arch implements. Logical CPU numbers are indexes into
 * struct platform's cpu_hwid[]; the arch maps them to MPIDRs or APIC ids.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <lib/types.h>

/* Logical number of the calling CPU. */
unsigned int arch_cpu_this(void);

/*
 * Starts logical CPU `cpu` (hardware id `hwid`) so that it enters
 * hv_secondary_main(cpu) on its own stack with vectors installed.
 * Returns 0 or a negative error when the firmware refused.
 */
int arch_cpu_start(unsigned int cpu, uint64_t hwid);

/*
 * Checks and switches on this CPU's hardware virtualization (EL2 on arm64,
 * VMX + EPT + unrestricted guest and VMXON on x86). Returns 0 or a negative
 * error; writes a one-line reason into `why` on failure.
 */
int arch_cpu_enable_virt(char *why, size_t why_size);

/* One line identifying this CPU, e.g. "MPIDR 0x80000001 EL2". */
void arch_cpu_describe(char *buf, size_t size);

/*
 * Makes what this CPU wrote to [start, +size) visible to an observer that
 * reads memory with its caches off (a cell starting with its MMU off): clean
 * to the point of coherency, then wait for it.
 */
void arch_cache_clean_range(const void *start, size_t size);

/*
 * Cleans and invalidates [start, +size) to the point of coherency: a dirty
 * line of a cacheable writer (any CPU) reaches memory, and no line is left
 * that could hide what an observer with its caches off wrote to memory. Call
 * it before reading what a cell wrote, and before writing a part of a cache
 * line whose other bytes a cell may have written.
 */
void arch_cache_clean_inval_range(const void *start, size_t size);

/* Busy-wait hint inside spin loops. */
void arch_cpu_relax(void);

/* Waits for an event (arch_cpu_wake from another CPU, or a spurious wake-up). */
void arch_cpu_wait_event(void);

/* Wakes `cpu` from arch_cpu_wait_event(). */
void arch_cpu_wake(unsigned int cpu);

/* Parks this CPU for good, interrupts masked. */
noreturn_fn void arch_cpu_park(void);

/*
 * For the fault-injection test only: performs an access that must raise an
 * exception the hypervisor does not expect (an access outside physical
 * memory), proving that such exceptions dump registers and fail the run.
 */
void arch_cpu_inject_fault(void);

#endif
