/*
 * PL011 output (QEMU virt, 0x09000000, already set up by QEMU) and the exit
 * code through semihosting SYS_EXIT (emulators only). Lines from several CPUs
 * are serialised by a raw spinlock, interrupts masked.
 */
#include <hv/format.h>
#include <rt/spinlock.h>
#include <rtarch/irq.h>

#include "arm64.h"

#define PL011_DR 0x09000000ul
#define PL011_FR 0x09000018ul
#define PL011_FR_TXFF (1u << 5)

static struct rt_raw_spinlock console_lock = RT_RAW_SPINLOCK_INIT;

static void putc_raw(char c)
{
	while (*(volatile uint32_t *)PL011_FR & PL011_FR_TXFF)
		;
	*(volatile uint32_t *)PL011_DR = (uint32_t)(unsigned char)c;
}

void rt_arm64_console_puts(const char *s)
{
	unsigned long flags = rtarch_irq_save();

	rt_raw_spin_lock(&console_lock);
	for (; *s; s++) {
		if (*s == '\n')
			putc_raw('\r');
		putc_raw(*s);
	}
	rt_raw_spin_unlock(&console_lock);
	rtarch_irq_restore(flags);
}

void rt_arm64_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	format_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rt_arm64_console_puts(buf);
}

void rt_arm64_exit(int code)
{
	uint64_t block[2] = { 0x20026, (uint64_t)(int64_t)code };  /* ADP_Stopped_ApplicationExit */
	register uint64_t x0 __asm__("x0") = 0x18;                 /* SYS_EXIT */
	register uint64_t x1 __asm__("x1") = (uint64_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	for (;;)
		__asm__ volatile("wfi");
}
