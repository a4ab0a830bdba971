/* The machine's CPUs (hv/cpu_map.h): written once by cpu_map_init, then read-only. */
#include <hv/cpu_map.h>

static unsigned int machine_cpu_count;
static uint64_t machine_hwid[HV_MAX_CPUS];

void cpu_map_init(const struct platform *plat)
{
	machine_cpu_count = plat->cpu_count;
	for (unsigned int i = 0; i < plat->cpu_count; i++)
		machine_hwid[i] = plat->cpu_hwid[i];
}

unsigned int cpu_map_count(void)
{
	return machine_cpu_count;
}

bool cpu_map_exists(unsigned int cpu)
{
	return cpu < machine_cpu_count;
}

uint64_t cpu_map_hwid(unsigned int cpu)
{
	return cpu < machine_cpu_count ? machine_hwid[cpu] : 0;
}

int cpu_map_cpu_of_hwid(uint64_t hwid)
{
	for (unsigned int cpu = 0; cpu < machine_cpu_count; cpu++)
		if (machine_hwid[cpu] == hwid)
			return (int)cpu;
	return -1;
}
