/*
 * Fixed MSR values for cells (vmx/msr_fixed.h).
 *
 * IA32_MISC_ENABLE (0x1a0): Linux's verify_cpu (arch/x86/kernel/verify_cpu.S)
 * reads it on Intel CPUs before its decompressor has an IDT to catch a #GP,
 * so a refused read is a triple fault. The cell gets fast strings on, BTS
 * and PEBS unavailable (no branch tracing into memory it cannot name) and
 * XD not disabled, whatever the CPU's value: it does not learn or depend on
 * the machine's setting, and verify_cpu then has nothing to write back.
 */
#include <vmx/msr_fixed.h>

#define MSR_IA32_MISC_ENABLE 0x1a0u
#define MISC_ENABLE_FAST_STRING (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12)

bool msr_fixed_read(uint32_t msr, uint64_t *value)
{
	if (msr != MSR_IA32_MISC_ENABLE)
		return false;
	*value = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL;
	return true;
}
