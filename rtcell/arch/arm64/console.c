/*
 * Console and end of run (a ring set while bare is ignored: the UART costs
 * no hypervisor entry). Bare: the PL011 the device tree names (platform.c),
 * and the end of the run by semihosting SYS_EXIT when built with it
 * (emulators), else or where that faults by PSCI SYSTEM_OFF. In a cell: one BH_HC_CONSOLE_WRITE
 * per line until a ring is set (start-up and the end), the ring of the
 * telemetry channel in between (no hypervisor entry), BH_HC_CELL_EXIT.
 * Output from several CPUs is serialised by a raw spinlock, interrupts masked.
 */
#include <bulkhead/hypercall.h>
#include <lib/format.h>
#include <rt/spinlock.h>
#include <rtarch/irq.h>
#include <rtarch/platform.h>

#include "arm64.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)
#define PSCI_SYSTEM_OFF 0x84000008ull

static struct rt_raw_spinlock console_lock = RT_RAW_SPINLOCK_INIT;
static struct bh_latmon_console *console_ring;
static char line_buf[RT_ARM64_MAX_CPUS][BH_CONSOLE_WRITE_MAX];
static unsigned line_len[RT_ARM64_MAX_CPUS];

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

/* Single writer (console_lock): bytes first, then the total, released. */
static void ring_put(struct bh_latmon_console *ring, const char *s)
{
	uint64_t written = ring->written;

	for (; *s; s++, written++)
		ring->data[written % BH_LATMON_CONSOLE_BYTES] = *s;
	__atomic_store_n(&ring->written, written, __ATOMIC_RELEASE);
}

/* The hypervisor prints whole lines per CPU: flush at '\n' or when full. */
static void hv_put(const char *s)
{
	unsigned cpu = (unsigned)read_sysreg(tpidr_el1);
	char *buf = line_buf[cpu];

	for (; *s; s++) {
		buf[line_len[cpu]++] = *s;
		if (*s == '\n' || line_len[cpu] == BH_CONSOLE_WRITE_MAX) {
			rtarch_hypercall(BH_HC_CONSOLE_WRITE, (uintptr_t)buf, line_len[cpu], 0);
			line_len[cpu] = 0;
		}
	}
}

void rtarch_console_write(const char *s)
{
	unsigned long flags = rtarch_irq_save();

	rt_raw_spin_lock(&console_lock);
	if (console_ring && rt_arm64_plat.info) {
		ring_put(console_ring, s);
	} else if (rt_arm64_plat.info) {
		hv_put(s);
	} else {
		for (; *s; s++) {
			if (*s == '\n')
				pl011_putc('\r');
			pl011_putc(*s);
		}
	}
	rt_raw_spin_unlock(&console_lock);
	rtarch_irq_restore(flags);
}

void rtarch_console_set_ring(struct bh_latmon_console *ring)
{
	unsigned long flags = rtarch_irq_save();

	rt_raw_spin_lock(&console_lock);
	console_ring = ring;
	rt_raw_spin_unlock(&console_lock);
	rtarch_irq_restore(flags);
}

void rt_arm64_console_puts(const char *s)
{
	rtarch_console_write(s);
}

static void console_vprintf(const char *fmt, va_list ap)
{
	char buf[256];

	format_vsnprintf(buf, sizeof(buf), fmt, ap);
	rtarch_console_write(buf);
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void rt_arm64_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
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
