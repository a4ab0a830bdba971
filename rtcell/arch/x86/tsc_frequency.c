/*
 * The TSC's frequency. Bare: measured against PIT channel 2 (x86_64/pit.h,
 * the hypervisor's own method: 500 ms, to the nearest kHz). In a cell the PIT
 * is not the cell's: the hypervisor's calibration, from its CPUID leaf
 * 0x40000002 (EAX = TSC kHz, docs/hypervisor.md).
 */
#include <rtarch/cpu.h>
#include <x86_64/insn.h>
#include <x86_64/pit.h>

#include "x86.h"

#define CALIBRATE_MAX_POLLS 100000000ull
#define LEAF_HV_SIGNATURE 0x40000000u
#define LEAF_HV_TSC 0x40000002u

static uint64_t hypervisor_tsc_hz(void)
{
	if (cpuid(LEAF_HV_SIGNATURE, 0).eax < LEAF_HV_TSC)
		rtarch_panic("the hypervisor does not give the TSC frequency (CPUID 0x40000002)");
	return (uint64_t)cpuid(LEAF_HV_TSC, 0).eax * 1000u;
}

uint64_t rt_x86_tsc_hz(void)
{
	if (rt_x86_plat.info)
		return hypervisor_tsc_hz();
	uint64_t ticks = pit_tsc_ticks_calibrate(CALIBRATE_MAX_POLLS);

	if (!ticks)
		rtarch_panic("PIT channel 2's output never moved: no TSC calibration");
	return pit_tsc_hz(ticks, PIT_CALIBRATE_CLOCKS);
}
