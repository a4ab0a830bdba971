/*
 * The closing report's critical-section table. Lines:
 *   csection: counter HZ Hz, N sites
 *   csection: kind=irq-off|preempt-off site=FUNC:LINE max_ticks=M count=C total_ticks=T
 * longest first, in rtarch_cycles() units (the generic counter at HZ).
 * Interrupt entry's masking is the site of the arch's IRQ handler
 * (rt_arm64_irq); the console's are rtcell_console_queue (the copy) and
 * rtcell_console_write_now (a synchronous write).
 */
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "csection_report.h"

#define MAX_SITES 64

static struct rt_csection_stat table[MAX_SITES];
static unsigned sites;

void csection_report_snapshot(void)
{
	sites = rt_csection_table(table, MAX_SITES);
}

void csection_report_print(void)
{
	rt_printf("csection: counter %lu Hz, %u sites\n", (unsigned long)rtarch_counter_hz(),
		  sites);
	for (unsigned i = 0; i < sites; i++) {
		const struct rt_csection_stat *s = &table[i];

		if (!s->count)
			continue;
		rt_printf("csection: kind=%s site=%s:%u max_ticks=%lu count=%lu total_ticks=%lu\n",
			  s->kind == RT_CSECTION_IRQOFF ? "irq-off" : "preempt-off", s->func,
			  s->line, (unsigned long)s->max_cycles, (unsigned long)s->count,
			  (unsigned long)s->total_cycles);
	}
}
