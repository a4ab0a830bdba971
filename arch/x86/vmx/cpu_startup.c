/*
 * INIT-SIPI-SIPI within a cell (vmx/cpu_startup.h), SDM vol. 3 sec. 8.4.4
 * and 10.6.1. Per target CPU:
 *  1. INIT (assert) while the CPU is off puts it in wait-for-SIPI.
 *  2. The first start-up IPI while it waits records the vector and asks it
 *     through cpu_power (hv/cpu_power.h) to enter its cell; the vector is
 *     stored before the request's release, so the target sees it.
 *  3. Start-up IPIs that find the CPU not waiting are ignored, as a CPU that
 *     already left wait-for-SIPI ignores them (the protocol sends two).
 * INIT of a running CPU would reset it in the middle of its work: refused,
 * as is anything aimed at a CPU outside the cell, a logical destination or a
 * shorthand. INIT de-assert (level-triggered, level 0) is a no-op on every
 * CPU since the Pentium 4 and is accepted as such.
 */
#include <hv/cell.h>
#include <hv/cpu_map.h>
#include <hv/cpu_power.h>
#include <vmx/cpu_startup.h>

#define ICR_DELIVERY_MODE(v) (((v) >> 8) & 0x7)
#define ICR_MODE_INIT 5
#define ICR_MODE_STARTUP 6
#define ICR_LOGICAL (1ull << 11)
#define ICR_LEVEL_ASSERT (1ull << 14)
#define ICR_TRIGGER_LEVEL (1ull << 15)
#define ICR_SHORTHAND(v) (((v) >> 18) & 0x3)
#define ICR_DESTINATION(v) ((v) >> 32)
#define ICR_VECTOR(v) ((unsigned int)((v)&0xff))
#define NO_VECTOR (-1)

/* Written by the CPU that sends INIT/SIPI, read by the target (cpu_power orders them). */
static bool waiting_for_sipi[HV_MAX_CPUS];
static int sipi_vector[HV_MAX_CPUS] = { [0 ... HV_MAX_CPUS - 1] = NO_VECTOR };

/* The logical number of the cell's CPU with x2APIC id `hwid`, or -1. */
static int cell_cpu_of_hwid(const struct cell *cell, uint64_t hwid)
{
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++)
		if (cell->desc->cpu_hwid[i] == hwid)
			return cpu_map_cpu_of_hwid(hwid);
	return -1;
}

static const char *deliver_init(unsigned int target)
{
	if (cpu_power_state(target) != CPU_POWER_OFF)
		return "INIT of a running CPU (a cell cannot reset its CPUs)";
	__atomic_store_n(&waiting_for_sipi[target], true, __ATOMIC_RELAXED);
	return NULL;
}

static void deliver_startup(unsigned int target, unsigned int vector)
{
	if (!__atomic_load_n(&waiting_for_sipi[target], __ATOMIC_RELAXED) ||
	    cpu_power_state(target) != CPU_POWER_OFF)
		return;
	__atomic_store_n(&waiting_for_sipi[target], false, __ATOMIC_RELAXED);
	sipi_vector[target] = (int)vector;
	if (cpu_power_request_on(target, (uint64_t)vector << 12, 0) != 0)
		sipi_vector[target] = NO_VECTOR; /* lost a race with another start: ignored */
}

bool cpu_startup_ipi(const struct vmx_exit *exit, uint64_t icr, const char **why)
{
	unsigned int mode = ICR_DELIVERY_MODE(icr);
	int target;

	if (mode != ICR_MODE_INIT && mode != ICR_MODE_STARTUP)
		return false;
	*why = NULL;
	if (ICR_SHORTHAND(icr) != 0)
		*why = "INIT/SIPI with a shorthand";
	else if (icr & ICR_LOGICAL)
		*why = "INIT/SIPI to a logical destination";
	else if ((target = cell_cpu_of_hwid(exit->cell, ICR_DESTINATION(icr))) < 0)
		*why = "INIT/SIPI to a CPU outside the cell";
	else if ((unsigned int)target == exit->cpu)
		*why = "INIT/SIPI to the sending CPU itself";
	else if (mode == ICR_MODE_STARTUP)
		deliver_startup((unsigned int)target, ICR_VECTOR(icr));
	else if ((icr & ICR_TRIGGER_LEVEL) && !(icr & ICR_LEVEL_ASSERT))
		return true; /* INIT de-assert */
	else
		*why = deliver_init((unsigned int)target);
	return true;
}

int cpu_startup_take_sipi_vector(unsigned int cpu)
{
	int vector = sipi_vector[cpu];

	sipi_vector[cpu] = NO_VECTOR;
	return vector;
}
