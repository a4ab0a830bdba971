/*
 * arm64 console port and end of run: the PL011 the device tree names
 * (platform.c) for the shared console (arch/common/console.c), HVC
 * hypercalls, and the end of the run: bare by semihosting SYS_EXIT when built
 * with it (emulators), else or where that faults by PSCI SYSTEM_OFF; in a
 * cell BH_HC_CELL_EXIT.
 */
#include <bulkhead/hypercall.h>
#include <rtarch/platform.h>

#include "arm64.h"
#include "console_port.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)
#define PSCI_SYSTEM_OFF 0x84000008ull

int64_t rtarch_hypercall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (!rt_arm64_plat.info)
		return -BH_ENOSYS;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

static void pl011_putc(char c)
{
	uintptr_t uart = rt_arm64_plat.uart;

	if (!uart)
		return;
	while (*(volatile uint32_t *)(uart + PL011_FR) & PL011_FR_TXFF)
		;
	*(volatile uint32_t *)(uart + PL011_DR) = (uint32_t)(unsigned char)c;
}

void rt_console_port_uart_write(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			pl011_putc('\r');
		pl011_putc(*s);
	}
}

void rt_arm64_console_panic(void)
{
	rt_console_panic();
}

void rt_arm64_console_puts(const char *s)
{
	rtarch_console_write(s);
}

void rt_arm64_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_console_vprintf(fmt, ap);
	va_end(ap);
}

/*
 * Bare end of the run. The exit code is printed first: without semihosting
 * (a board, or the -Dsemihosting=false build) that line is the result.
 * Where semihosting is absent its HLT is an undefined instruction: the
 * exception handler calls back here, and the second entry powers off.
 */
static void bare_exit(int code)
{
	static int exiting;

	if (!__atomic_exchange_n(&exiting, 1, __ATOMIC_ACQ_REL)) {
		rt_arm64_printf("rtcell: exit code %d\n", code);
#if BULKHEAD_SEMIHOSTING
		uint64_t block[2] = { 0x20026, (uint64_t)(int64_t)code }; /* ApplicationExit */
		register uint64_t x0 __asm__("x0") = 0x18; /* SYS_EXIT */
		register uint64_t x1 __asm__("x1") = (uint64_t)block;

		__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
#endif
	} else {
		rt_arm64_printf("rtcell: powering off by PSCI SYSTEM_OFF\n");
	}
	rt_arm64_psci(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void rtarch_exit(int code)
{
	rt_console_flush();
	if (rt_arm64_plat.info)
		rtarch_hypercall(BH_HC_CELL_EXIT, (uint64_t)(int64_t)code, 0, 0);
	else
		bare_exit(code);
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

void rt_arm64_exit(int code)
{
	rtarch_exit(code);
}
