/*
 * Power state of each CPU as its cell sees it (PSCI CPU_ON/CPU_OFF and
 * AFFINITY_INFO on arm64). A CPU that is off waits inside the hypervisor
 * for a start request from another CPU of its own cell.
 */
#ifndef HV_CPU_POWER_H
#define HV_CPU_POWER_H

#include <lib/types.h>

enum cpu_power_state {
	CPU_POWER_OFF = 0,
	CPU_POWER_ON_PENDING = 1,
	CPU_POWER_ON = 2,
};

/* Asks `cpu` to enter its cell at entry with arg; -BH_EBUSY if it is not off. */
int cpu_power_request_on(unsigned int cpu, uint64_t entry, uint64_t arg);
int cpu_power_state(unsigned int cpu);
/* This CPU leaves its cell and waits for the next start request (never returns). */
noreturn_fn void cpu_power_off_self(unsigned int cpu);
/* Marks this CPU on (it is entering its cell). */
void cpu_power_mark_on(unsigned int cpu);
/* Takes back a start request that `cpu` has not acted on (ON_PENDING -> OFF). */
void cpu_power_cancel_pending(unsigned int cpu);

#endif
