/*
 * Fixed MSR values for cells (vmx/msr_fixed.h).
 *
 * IA32_MISC_ENABLE (0x1a0): Linux's verify_cpu (arch/x86/kernel/verify_cpu.S)
 * reads it on Intel CPUs before its decompressor has an IDT to catch a #GP,
 * so a refused read is a triple fault. The cell gets fast strings on, BTS
 * and PEBS unavailable (no branch tracing into memory it cannot name) and
 * XD not disabled, whatever the CPU's value: it does not learn or depend on
 * the machine's setting, and verify_cpu then has nothing to write back.
 *
 * IA32_BIOS_SIGN_ID (0x8b), the microcode revision: the SDM's way to read it
 * (vol. 3 sec. 10.11.7) is to write 0, execute CPUID leaf 1 and read the
 * MSR, which Linux's early_init_intel does on every Intel CPU. Refused, each
 * boot printed two "unchecked MSR access error" call traces. The cell reads
 * revision 0 (no microcode update known to it: the machine's revision is not
 * the cell's business, as for MISC_ENABLE) and its writes are dropped; a
 * microcode update itself needs IA32_BIOS_UPDT_TRIG (0x79), which stays #GP.
 */
#include <vmx/msr_fixed.h>

#define MSR_IA32_BIOS_SIGN_ID 0x8bu
#define MSR_IA32_MISC_ENABLE 0x1a0u
#define MISC_ENABLE_FAST_STRING (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12)

bool msr_fixed_read(uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case MSR_IA32_MISC_ENABLE:
		*value = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL |
			 MISC_ENABLE_PEBS_UNAVAIL;
		return true;
	case MSR_IA32_BIOS_SIGN_ID:
		*value = 0;
		return true;
	default:
		return false;
	}
}

bool msr_fixed_write_dropped(uint32_t msr, uint64_t value)
{
	(void)value; /* any value: the CPU's own MSR takes any, and reads ignore it here */
	return msr == MSR_IA32_BIOS_SIGN_ID;
}
