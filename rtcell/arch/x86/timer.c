/*
 * Time: the TSC as the clock and the cycle counter (its frequency from
 * tsc_frequency.c), the local APIC timer in TSC-deadline mode as the
 * per-CPU one-shot. Conversions avoid 128-bit math: exact for TSC
 * frequencies below 2^34 Hz. Limit: needs TSC-deadline (CPUID.1:ECX[24]);
 * without it the kernel stops at boot and says so.
 */
#include <rt/config.h>
#include <rtarch/cpu.h>
#include <rtarch/platform.h>
#include <rtarch/timer.h>
#include <x86_64/insn.h>
#include <x86_64/msr.h>

#include "counter_time.h"
#include "x86.h"

#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define X2APIC_LVT_TIMER 0x832
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_IA32_TSC_DEADLINE 0x6e0

static uint64_t tsc_hz;

void rt_x86_clock_init(void)
{
	tsc_hz = rt_x86_tsc_hz();
}

void rt_x86_timer_init(void)
{
	if (!(cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE))
		rtarch_panic("the local APIC timer has no TSC-deadline mode");
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	wrmsr(X2APIC_LVT_TIMER, LVT_TSC_DEADLINE | RT_X86_VECTOR_TIMER);
}

uint64_t rtarch_now_ns(void)
{
	uint64_t t = rdtsc();

	return rt_counter_to_ns(t, tsc_hz);
}

/* Writing 0 disarms; a deadline already past fires at once (SDM 11.5.4.1). */
void rtarch_timer_program(uint64_t deadline_ns)
{
	if (deadline_ns == RT_TIME_NEVER) {
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
		return;
	}
	uint64_t ticks = rt_ns_to_counter_ceil(deadline_ns, tsc_hz);

	wrmsr(MSR_IA32_TSC_DEADLINE, ticks ? ticks : 1);
}

uint64_t rtarch_counter_hz(void)
{
	return tsc_hz;
}
