/*
 * The machine's CPUs: logical numbers (0 = boot CPU) and the hardware ids
 * (MPIDR / APIC id) the platform reported. Filled once at boot, read-only
 * after; depends on nothing else in the core.
 */
#ifndef HV_CPU_MAP_H
#define HV_CPU_MAP_H

#include <hv/platform.h>

void cpu_map_init(const struct platform *plat);

unsigned int cpu_map_count(void);

/* Whether logical CPU `cpu` exists on this machine. */
bool cpu_map_exists(unsigned int cpu);

/* Hardware id of logical CPU `cpu` (0 when it does not exist). */
uint64_t cpu_map_hwid(unsigned int cpu);

/* Logical CPU with hardware id `hwid`, or -1. */
int cpu_map_cpu_of_hwid(uint64_t hwid);

#endif
