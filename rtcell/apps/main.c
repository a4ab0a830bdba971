/*
 * The realtime cell's application: latmon on every CPU and pistress below
 * it, until the hypervisor's mailbox says STOP (default image) or, in test
 * builds, until RTCELL_RUN_PERIODS periods per CPU. Then: telemetry STOPPED,
 * final figures published and printed, and MAILBOX_ACK / CELL_EXIT.
 * Console text is queued for a low-priority console thread while the apps
 * run (no thread masks interrupts for a UART line); the closing report is
 * written synchronously, so none of it can be dropped.
 * Invariant: between "steady state" and the end, the cell makes no
 * hypervisor call (console text goes to the telemetry ring).
 * Console test builds (RTCELL_CONSOLE_FLOOD) overfill the console queue at the
 * start and at the end (tests/system/test_rtcell.py checks what was dropped).
 */
#include <lib/format.h>
#include <lib/strerror.h>
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "csection_report.h"
#include "latmon.h"
#include "mailbox.h"
#include "pistress.h"
#include "telemetry.h"

/* 0: run until the mailbox says STOP. */
#ifndef RTCELL_RUN_PERIODS
#define RTCELL_RUN_PERIODS 0
#endif
/* Test builds: after this many of CPU 0's periods, ring our own doorbell as
 * the hypervisor would (the STOP path without a hypervisor shutdown). */
/* 0: latmon alone (path-length builds: nothing else runs on the CPUs). */
#ifndef RTCELL_PISTRESS
#define RTCELL_PISTRESS 1
#endif
#ifndef RTCELL_SELF_STOP_PERIODS
#define RTCELL_SELF_STOP_PERIODS 0
#endif
#ifndef RTCELL_CONSOLE_FLOOD
#define RTCELL_CONSOLE_FLOOD 0
#endif
#define FLOOD_LINES 192 /* 45 to 81 bytes each: more than the 8 KiB queue holds */

#define CONTROL_PRIO 98
#define STACK_BYTES 8192

static struct rt_thread control;
static uint8_t control_stack[STACK_BYTES] __attribute__((aligned(16)));
static struct rt_sem events;

/* From the control thread, above the console thread on CPU 0 and never
 * blocking here: the queue keeps what fits and counts the rest as dropped. */
static void console_flood(unsigned round)
{
	char line[96];
	unsigned bytes = 0;

	for (unsigned i = 0; i < FLOOD_LINES; i++) {
		size_t n = (size_t)format_snprintf(line, sizeof(line), "rtcell: flood %u.%03u ",
						   round, i);

		for (unsigned k = 0; k < 24 + i % 37; k++)
			line[n++] = (char)('a' + (i + k) % 26);
		line[n++] = '\n';
		line[n] = '\0';
		rt_printf("%s", line);
		bytes += (unsigned)n;
	}
	if (round == 1)
		rt_sleep(10000000); /* 10 ms: the console thread writes out what was kept */
	else
		rtarch_console_buffered(false); /* the end: written out, then synchronous */
	rt_printf("rtcell: console flood %u: %u lines, %u bytes\n", round, FLOOD_LINES, bytes);
}

static void self_stop_timer(void)
{
	if (!RTCELL_SELF_STOP_PERIODS || !rtarch_boot_info())
		return;
	rt_sleep((uint64_t)RTCELL_SELF_STOP_PERIODS * LATMON_INTERVAL_US * 1000u);
	mailbox_ring_self_stop();
}

static void start_up(unsigned ncpus)
{
	const struct bh_boot_info *info = rtarch_boot_info();
	struct bh_latmon_channel *ch;

	telemetry_init(ncpus);
	ch = telemetry_channel();
	rt_printf("rtcell: latmon interval %u us priority %u on %u CPUs\n", LATMON_INTERVAL_US,
		  LATMON_PRIO, ncpus);
	if (RTCELL_PISTRESS)
		rt_printf("rtcell: pistress priorities %u/%u/%u\n", PISTRESS_PRIO_LOW,
			  PISTRESS_PRIO_MEDIUM, PISTRESS_PRIO_HIGH);
	else
		rt_printf("rtcell: latmon alone (no pistress)\n");
	rt_printf("rtcell: telemetry %s at %p\n", telemetry_shared() ? "channel" : "private copy",
		  (void *)ch);
	if (RTCELL_RUN_PERIODS)
		rt_printf("rtcell: test build, stops after %u periods per CPU\n",
			  (unsigned)RTCELL_RUN_PERIODS);
	if (info) {
		if (mailbox_start(&events))
			rt_printf("rtcell: cannot take the mailbox doorbell\n");
		rt_printf("rtcell: steady state: console continues in the telemetry ring\n");
		rtarch_console_set_ring(&ch->console);
	}
}

static void control_main(void *arg)
{
	unsigned ncpus = (unsigned)(uintptr_t)arg;
	bool by_mailbox;
	uint64_t missed, inversions;

	if (rtarch_console_buffered(true))
		rt_printf("rtcell: no console thread: console writes stay synchronous\n");
	else if (RTCELL_CONSOLE_FLOOD)
		console_flood(1);
	start_up(ncpus);
	if (latmon_start(RTCELL_RUN_PERIODS, &events) ||
	    (RTCELL_PISTRESS && pistress_start(ncpus))) {
		rtarch_console_set_ring(NULL);
		rtarch_console_buffered(false);
		rt_printf("rtcell: cannot start the apps\n");
		rtarch_exit(1);
	}
	telemetry_set_state(BH_LATMON_RUNNING);
	self_stop_timer();
	/* Events: a latmon thread ended, or the mailbox said STOP. */
	while (latmon_ended() < ncpus) {
		rt_sem_take(&events, RT_FOREVER);
		if (mailbox_stop_requested())
			latmon_stop();
	}
	if (RTCELL_PISTRESS)
		pistress_stop();
	telemetry_set_state(BH_LATMON_STOPPED);
	csection_report_snapshot();
	/* The end: back to hypervisor console lines, written synchronously. */
	rtarch_console_set_ring(NULL);
	if (RTCELL_CONSOLE_FLOOD)
		console_flood(2);
	rtarch_console_buffered(false);
	by_mailbox = mailbox_stop_requested();
	rt_printf("rtcell: stopped by %s\n", by_mailbox ? "the mailbox" : "the period count");
	latmon_report();
	if (RTCELL_PISTRESS)
		pistress_report();
	csection_report_print();
	missed = latmon_missed();
	inversions = pistress_inversions();
	rt_printf("rtcell: done, missed=%lu inversions=%lu\n", (unsigned long)missed,
		  (unsigned long)inversions);
	if (by_mailbox) {
		int ret = mailbox_ack(); /* the hypervisor stops the cell here */

		rt_printf("rtcell: mailbox ack answered %d (%s)\n", ret, bh_strerror(ret));
	}
	rtarch_exit(missed || inversions ? 1 : 0);
}

void rt_app_start(void)
{
	struct rt_thread_attr attr = {
		.name = "control",
		.prio = CONTROL_PRIO,
		.cpu = 0,
		.entry = control_main,
		.arg = (void *)(uintptr_t)rt_ncpus,
		.stack = control_stack,
		.stack_size = sizeof(control_stack),
	};

	rt_sem_init(&events, 0, 2 * RT_MAX_CPUS);
	if (rt_thread_create(&control, &attr) || rt_thread_start(&control))
		rtarch_panic("rtcell: cannot start the control thread");
}
