/*
 * Ending a run: the pass and fail markers test harnesses wait for, then a
 * power-off with the matching exit code. A second failure while failing
 * (e.g. a fault in the console) parks the CPU instead of recursing.
 */
#include <arch/arch_console.h>
#include <arch/arch_cpu.h>
#include <arch/arch_power.h>
#include <hv/console.h>
#include <hv/panic.h>

#define HV_EXIT_FAILURE 1

static int failing;

noreturn_fn void hv_fail_stop(void)
{
	if (__atomic_exchange_n(&failing, 1, __ATOMIC_ACQ_REL))
		arch_cpu_park();
	console_print_unlocked("\n" HV_MARKER_FAIL "\n");
	arch_console_flush();
	arch_system_off(HV_EXIT_FAILURE);
}

noreturn_fn void hv_panic(const char *fmt, ...)
{
	va_list ap;

	/* Unlocked on purpose: the panicking CPU may hold the console lock. */
	console_print_unlocked("\nhv: panic on cpu %u: ", arch_cpu_this());
	va_start(ap, fmt);
	console_vprint_unlocked(fmt, ap);
	va_end(ap);
	console_print_unlocked("\n");
	hv_fail_stop();
}

noreturn_fn void hv_pass_stop(void)
{
	console_print(HV_MARKER_PASS "\n");
	arch_console_flush();
	arch_system_off(0);
}
