/*
 * Machine power-off (hv/arch_power.h): semihosting SYS_EXIT when built for
 * emulation, so the emulator's exit status carries the result; PSCI
 * SYSTEM_OFF otherwise (the console markers then decide pass or fail).
 */
#include <arch/arch_cpu.h>
#include <arch/arch_power.h>
#include <arm64/psci.h>
#include <arm64/semihosting.h>

noreturn_fn void arch_system_off(int exit_code)
{
#if BULKHEAD_SEMIHOSTING
	semihosting_exit(exit_code);
#else
	(void)exit_code; /* the console's PASS/FAIL marker carries it */
#endif
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	arch_cpu_park();
}
