/*
 * bhctl's snapshot and formatting code on synthetic status pages and latmon
 * channels: exact output lines (cells, stats, cyclictest summary and -h
 * histogram with overflows), refused pages, and the sequence-counter retry
 * when a copy overlaps a latmon update.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/acpi_regions.h>

#include "bhctl.h"

/* ---- helpers ---- */

struct capture {
	char *text;
	size_t size;
	FILE *f;
};

static FILE *capture_start(struct capture *c)
{
	c->text = NULL;
	c->size = 0;
	c->f = open_memstream(&c->text, &c->size);
	assert_non_null(c->f);
	return c->f;
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->text;
}

/* Line `n` (0-based) of `text`, copied into `line`. */
static const char *line_of(const char *text, int n, char *line, size_t size)
{
	const char *p = text;

	for (int i = 0; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	assert_non_null(p);
	size_t len = strcspn(p, "\n");
	assert_true(len < size);
	memcpy(line, p, len);
	line[len] = '\0';
	return line;
}

static int line_count(const char *text)
{
	int n = 0;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

static void plain_copy(void *dst, const volatile void *src, size_t size, void *ctx)
{
	bhctl_copy_words(dst, src, size, ctx);
}

/* Two cells as linux-ticker.dts makes them: linux on CPUs 0-1, ticker (stopped) on CPU 3. */
static struct bh_hv_status *make_status(void)
{
	struct bh_hv_status *st = aligned_alloc(4096, sizeof(*st));

	memset(st, 0, sizeof(*st));
	st->magic = BH_HV_STATUS_MAGIC;
	st->version = BH_HV_STATUS_VERSION;
	st->size_bytes = sizeof(*st);
	st->cell_count = 2;
	st->cpu_count = 4;
	strcpy(st->cells[0].name, "linux");
	st->cells[0].state = BH_CELL_STATE_RUNNING;
	st->cells[0].cpu_mask = 0x3;
	st->cells[0].cpu_count = 2;
	st->cells[0].cpu_mpidr[1] = 1;
	st->cells[0].memory_bytes = 512ull << 20;
	strcpy(st->cells[1].name, "ticker");
	st->cells[1].state = BH_CELL_STATE_STOPPED;
	st->cells[1].flags = 1; /* realtime */
	st->cells[1].cpu_mask = 0x8;
	st->cells[1].cpu_count = 1;
	st->cells[1].cpu_mpidr[0] = 3;
	st->cells[1].memory_bytes = 16ull << 20;
	st->cells[1].exit_code = -3;
	st->cells[0].restarts = 2;
	for (uint32_t cpu = 0; cpu < BH_HV_STATUS_MAX_CPUS; cpu++) {
		st->cpus[cpu].cpu = cpu;
		st->cpus[cpu].cell_id = cpu < 2 ? 0 : cpu == 3 ? 1 : BH_CELL_NONE;
	}
	st->cpus[0].entries[BH_ENTRY_HYPERCALL] = 5;
	st->cpus[0].entries[BH_ENTRY_IRQ] = 1200;
	st->cpus[0].entries[BH_ENTRY_GICD] = 33;
	st->cpus[0].entries_total = 1238;
	st->cpus[3].entries[BH_ENTRY_HYPERCALL] = 7;
	st->cpus[3].entries_total = 7;
	return st;
}

/* latmon on CPUs 2 and 3: CPU 1 has 3 overflows and 2 missed periods. */
static struct bh_latmon_channel *make_channel(void)
{
	struct bh_latmon_channel *ch = aligned_alloc(4096, (sizeof(*ch) + 4095) & ~(size_t)4095);

	memset(ch, 0, sizeof(*ch));
	ch->magic = BH_LATMON_MAGIC;
	ch->version = BH_LATMON_VERSION;
	ch->size_bytes = sizeof(*ch);
	ch->cpu_count = 2;
	ch->state = BH_LATMON_RUNNING;
	ch->cell_id = 1;
	ch->counter_hz = 62500000;
	for (uint32_t i = 0; i < 2; i++) {
		struct bh_latmon_cpu *c = &ch->cpus[i];

		c->sequence = 40;
		c->cpu_logical = 2 + i;
		c->cpu_mpidr = 2 + i;
		c->priority = 99;
		c->interval_us = 1000;
	}
	/* CPU 0: 10 samples 3..12 µs. */
	ch->cpus[0].samples = 10;
	ch->cpus[0].min_ns = 3400;
	ch->cpus[0].max_ns = 12999;
	ch->cpus[0].sum_ns = 75000;
	ch->cpus[0].last_ns = 5100;
	ch->cpus[0].histogram[3] = 4;
	ch->cpus[0].histogram[5] = 5;
	ch->cpus[0].histogram[12] = 1;
	/* CPU 1: 2 in range, 3 overflows (>= 1000 µs). */
	ch->cpus[1].samples = 5;
	ch->cpus[1].min_ns = 7000;
	ch->cpus[1].max_ns = 1500000;
	ch->cpus[1].sum_ns = 3 * 1200000ull + 7000 + 999000;
	ch->cpus[1].last_ns = 999000;
	ch->cpus[1].histogram[7] = 1;
	ch->cpus[1].histogram[999] = 1;
	ch->cpus[1].overflows = 3;
	ch->cpus[1].missed_periods = 2;
	return ch;
}

/* ---- status page ---- */

static void test_cells_table_lists_state_cpus_memory_flags_and_exit_code(void **state)
{
	struct bh_hv_status *st = make_status(), copy;
	struct capture c;
	char why[256], line[256];

	(void)state;
	assert_int_equal(bhctl_status_snapshot(st, 4096, &copy, why, sizeof(why), plain_copy, NULL),
			 0);
	bhctl_print_cells(capture_start(&c), &copy);
	char *text = capture_end(&c);
	assert_int_equal(line_count(text), 3);
	assert_string_equal(
		line_of(text, 0, line, sizeof(line)),
		"id  name             state    cpus             memory  flags     exit  restarts");
	assert_string_equal(
		line_of(text, 1, line, sizeof(line)),
		"0   linux            running  0-1             512 MiB  -         -     2");
	assert_string_equal(
		line_of(text, 2, line, sizeof(line)),
		"1   ticker           stopped  3                16 MiB  realtime  -3    0");
	free(text);
	free(st);
}

static void test_stats_print_every_reason_per_cpu_and_filter_by_cell(void **state)
{
	struct bh_hv_status *st = make_status();
	struct capture c;
	char why[256], line[512];

	(void)state;
	assert_true(bhctl_print_stats(capture_start(&c), st, NULL, why, sizeof(why)));
	char *text = capture_end(&c);
	assert_int_equal(line_count(text), 5);
	assert_string_equal(line_of(text, 0, line, sizeof(line)),
			    "cpu cell                    total  hypercall       psci stage2-fault"
			    "       gicd       gicr     sysreg        irq        wfx      other");
	assert_string_equal(line_of(text, 1, line, sizeof(line)),
			    "0   linux                    1238          5          0            0"
			    "         33          0          0       1200          0          0");
	assert_string_equal(line_of(text, 3, line, sizeof(line)),
			    "2   -                           0          0          0            0"
			    "          0          0          0          0          0          0");
	assert_string_equal(line_of(text, 4, line, sizeof(line)),
			    "3   ticker                      7          7          0            0"
			    "          0          0          0          0          0          0");
	free(text);

	assert_true(bhctl_print_stats(capture_start(&c), st, "ticker", why, sizeof(why)));
	text = capture_end(&c);
	assert_int_equal(line_count(text), 2);
	assert_string_equal(line_of(text, 1, line, sizeof(line)),
			    "3   ticker                      7          7          0            0"
			    "          0          0          0          0          0          0");
	free(text);

	assert_true(bhctl_print_stats(capture_start(&c), st, "0", why, sizeof(why)));
	text = capture_end(&c);
	assert_int_equal(line_count(text), 3); /* linux by id: CPUs 0 and 1 */
	free(text);

	assert_false(bhctl_print_stats(capture_start(&c), st, "rt", why, sizeof(why)));
	free(capture_end(&c));
	assert_string_equal(why, "no cell \"rt\"; cells: 0 \"linux\" 1 \"ticker\"");
	free(st);
}

static void test_status_page_refused_with_the_reason(void **state)
{
	struct bh_hv_status *st = make_status(), copy;
	char why[256];

	(void)state;
	assert_int_equal(bhctl_status_snapshot(st, 2048, &copy, why, sizeof(why), plain_copy, NULL),
			 BHCTL_ERROR);
	assert_string_equal(why, "hv-status region is 2048 bytes, the status page needs 4096");

	st->magic = 0;
	assert_int_equal(bhctl_status_snapshot(st, 4096, &copy, why, sizeof(why), plain_copy, NULL),
			 BHCTL_NOT_INITIALISED);
	assert_string_equal(why, "hypervisor status page not initialised (magic 0)");

	st->magic = 0x12345678;
	assert_int_equal(bhctl_status_snapshot(st, 4096, &copy, why, sizeof(why), plain_copy, NULL),
			 BHCTL_ERROR);
	assert_string_equal(why, "hypervisor status page: bad magic 0x12345678, expected "
				 "0x54534842 (\"BHST\")");

	st->magic = BH_HV_STATUS_MAGIC;
	st->version = BH_HV_STATUS_VERSION + 1;
	assert_int_equal(bhctl_status_snapshot(st, 4096, &copy, why, sizeof(why), plain_copy, NULL),
			 BHCTL_ERROR);
	assert_string_equal(why, "hypervisor status page: version 3, bhctl understands version 2");

	st->version = BH_HV_STATUS_VERSION;
	st->size_bytes = 8192;
	assert_int_equal(bhctl_status_snapshot(st, 4096, &copy, why, sizeof(why), plain_copy, NULL),
			 BHCTL_ERROR);
	assert_string_equal(why, "hypervisor status page: 8192 bytes, bhctl expects 4096 for "
				 "version 2");

	st->size_bytes = sizeof(*st);
	st->cell_count = 9;
	assert_int_equal(bhctl_status_snapshot(st, 4096, &copy, why, sizeof(why), plain_copy, NULL),
			 BHCTL_ERROR);
	assert_string_equal(why, "hypervisor status page: 9 cells and 4 CPUs, at most 8 and 16");
	free(st);
}

/* ---- latmon channel ---- */

static struct bhctl_latmon *snapshot_ok(struct bh_latmon_channel *ch, bhctl_copy_fn copy, void *ctx)
{
	static struct bhctl_latmon lm;
	char why[256];

	assert_int_equal(bhctl_latmon_snapshot(ch, sizeof(*ch), &lm, why, sizeof(why), copy, ctx),
			 0);
	return &lm;
}

static void test_latency_prints_cyclictest_summary_and_missed_periods(void **state)
{
	struct bh_latmon_channel *ch = make_channel();
	struct capture c;
	char line[256];

	(void)state;
	bhctl_print_latency(capture_start(&c), snapshot_ok(ch, plain_copy, NULL), false);
	char *text = capture_end(&c);
	assert_int_equal(line_count(text), 4);
	assert_string_equal(line_of(text, 0, line, sizeof(line)),
			    "# latmon: cell 1, running, 2 CPU(s), clock 62500000 Hz");
	assert_string_equal(line_of(text, 1, line, sizeof(line)),
			    "T: 0 (    2) P:99 I:1000 C:     10 Min:      3 Act:    5 Avg:    7 "
			    "Max:      12");
	assert_string_equal(line_of(text, 2, line, sizeof(line)),
			    "T: 1 (    3) P:99 I:1000 C:      5 Min:      7 Act:  999 Avg:  921 "
			    "Max:    1500");
	assert_string_equal(line_of(text, 3, line, sizeof(line)),
			    "missed periods: 2 (T: 0 0, T: 1 2)");
	free(text);
	free(ch);
}

static void test_histogram_has_every_bucket_totals_and_overflows(void **state)
{
	struct bh_latmon_channel *ch = make_channel();
	struct capture c;
	char line[256];

	(void)state;
	bhctl_print_latency(capture_start(&c), snapshot_ok(ch, plain_copy, NULL), true);
	char *text = capture_end(&c);
	/* header, "# Histogram", 1000 buckets, 5 totals, overflow title, 2 threads, 3 T/missed */
	assert_int_equal(line_count(text), 1 + 1 + 1000 + 5 + 1 + 2 + 3);
	assert_string_equal(line_of(text, 1, line, sizeof(line)), "# Histogram");
	assert_string_equal(line_of(text, 2, line, sizeof(line)), "000000 000000\t000000");
	assert_string_equal(line_of(text, 2 + 3, line, sizeof(line)), "000003 000004\t000000");
	assert_string_equal(line_of(text, 2 + 7, line, sizeof(line)), "000007 000000\t000001");
	assert_string_equal(line_of(text, 2 + 12, line, sizeof(line)), "000012 000001\t000000");
	assert_string_equal(line_of(text, 2 + 999, line, sizeof(line)), "000999 000000\t000001");
	assert_string_equal(line_of(text, 1002, line, sizeof(line)),
			    "# Total: 000000010 000000002");
	assert_string_equal(line_of(text, 1003, line, sizeof(line)),
			    "# Min Latencies: 00003 00007");
	assert_string_equal(line_of(text, 1004, line, sizeof(line)),
			    "# Avg Latencies: 00007 00921");
	assert_string_equal(line_of(text, 1005, line, sizeof(line)),
			    "# Max Latencies: 00012 01500");
	assert_string_equal(line_of(text, 1006, line, sizeof(line)),
			    "# Histogram Overflows: 00000 00003");
	assert_string_equal(line_of(text, 1007, line, sizeof(line)),
			    "# Histogram Overflow at cycle number:");
	assert_string_equal(line_of(text, 1008, line, sizeof(line)), "# Thread 0:");
	assert_string_equal(line_of(text, 1009, line, sizeof(line)), "# Thread 1: # 00003 others");
	assert_string_equal(line_of(text, 1010, line, sizeof(line)),
			    "T: 0 (    2) P:99 I:1000 C:     10 Min:      3 Act:    5 Avg:    7 "
			    "Max:      12");
	free(text);
	free(ch);
}

/*
 * A writer that updates CPU record 0 while bhctl copies it: the first copy
 * gets the old first half and the new second half (torn); bhctl must see the
 * sequence move and read again, ending with the new record whole.
 */
struct racing_writer {
	struct bh_latmon_channel *ch;
	unsigned int record_copies;
};

static void copy_while_writing(void *dst, const volatile void *src, size_t size, void *ctx)
{
	struct racing_writer *w = ctx;
	struct bh_latmon_cpu *rec = &w->ch->cpus[0];

	if ((const volatile void *)rec != src || w->record_copies++ > 0) {
		bhctl_copy_words(dst, src, size, NULL);
		return;
	}
	bhctl_copy_words(dst, src, size / 2, NULL);
	rec->sequence++; /* odd: update under way */
	rec->samples = 11;
	rec->sum_ns += 20000;
	rec->max_ns = 20000;
	rec->histogram[3]--; /* ...the writer rewrote the bucket set too */
	rec->histogram[20] = 1;
	rec->histogram[3]++;
	rec->histogram[999] = 0;
	rec->sequence++; /* even again: a complete, newer record */
	bhctl_copy_words((char *)dst + size / 2, (const volatile char *)src + size / 2,
			 size - size / 2, NULL);
}

static void test_torn_latmon_record_is_read_again(void **state)
{
	struct bh_latmon_channel *ch = make_channel();
	struct racing_writer w = { ch, 0 };
	struct capture c;
	char line[256];

	(void)state;
	struct bhctl_latmon *lm = snapshot_ok(ch, copy_while_writing, &w);
	assert_int_equal(w.record_copies, 2);
	assert_int_equal(lm->retries, 1);
	assert_int_equal(lm->ch.cpus[0].sequence, 42);
	bhctl_print_latency(capture_start(&c), lm, true);
	char *text = capture_end(&c);
	/* Header and bucket 20 from the same (new) record. */
	assert_string_equal(line_of(text, 2 + 20, line, sizeof(line)), "000020 000001\t000000");
	assert_string_equal(line_of(text, 1002, line, sizeof(line)),
			    "# Total: 000000011 000000002");
	assert_string_equal(line_of(text, 1010, line, sizeof(line)),
			    "T: 0 (    2) P:99 I:1000 C:     11 Min:      3 Act:    5 Avg:    8 "
			    "Max:      20");
	free(text);
	free(ch);
}

static void test_record_stuck_mid_update_is_an_error_not_a_hang(void **state)
{
	struct bh_latmon_channel *ch = make_channel();
	static struct bhctl_latmon lm;
	char why[256];

	(void)state;
	ch->cpus[1].sequence = 77;
	assert_int_equal(
		bhctl_latmon_snapshot(ch, sizeof(*ch), &lm, why, sizeof(why), plain_copy, NULL),
		BHCTL_ERROR);
	assert_string_equal(why, "latmon record 1 kept changing over 1000 reads (sequence 77): "
				 "is its writer stuck in an update?");
	free(ch);
}

static void test_channel_refused_with_the_reason(void **state)
{
	struct bh_latmon_channel *ch = make_channel();
	static struct bhctl_latmon lm;
	char why[256];

	(void)state;
	ch->magic = 0;
	assert_int_equal(
		bhctl_latmon_snapshot(ch, sizeof(*ch), &lm, why, sizeof(why), plain_copy, NULL),
		BHCTL_NOT_INITIALISED);
	assert_string_equal(why, "latmon not running (channel not initialised)");
	ch->magic = 0xdeadbeef;
	assert_int_equal(
		bhctl_latmon_snapshot(ch, sizeof(*ch), &lm, why, sizeof(why), plain_copy, NULL),
		BHCTL_ERROR);
	assert_string_equal(why, "telemetry channel: bad magic 0xdeadbeef, expected 0x4e4d544c "
				 "(\"LTMN\")");
	ch->magic = BH_LATMON_MAGIC;
	ch->version = 9;
	assert_int_equal(
		bhctl_latmon_snapshot(ch, sizeof(*ch), &lm, why, sizeof(why), plain_copy, NULL),
		BHCTL_ERROR);
	assert_string_equal(why,
			    "telemetry channel: latmon version 9, bhctl understands version 1");
	ch->version = BH_LATMON_VERSION;
	ch->cpu_count = 9;
	assert_int_equal(
		bhctl_latmon_snapshot(ch, sizeof(*ch), &lm, why, sizeof(why), plain_copy, NULL),
		BHCTL_ERROR);
	assert_string_equal(why, "telemetry channel: 9 CPU records, at most 8");
	ch->cpu_count = 2;
	assert_int_equal(bhctl_latmon_snapshot(ch, 4096, &lm, why, sizeof(why), plain_copy, NULL),
			 BHCTL_ERROR);
	assert_string_equal(why, "telemetry channel is 4096 bytes, the latmon layout needs 40888");
	free(ch);
}

static void test_console_prints_ring_in_order_and_drops_overwritable_bytes(void **state)
{
	struct bh_latmon_channel *ch = make_channel();
	struct capture c;

	(void)state;
	memcpy(ch->console.data, "rt: hello\nrt: latmon up", 23);
	ch->console.written = 23;
	bhctl_print_console(capture_start(&c), snapshot_ok(ch, plain_copy, NULL));
	char *text = capture_end(&c);
	assert_string_equal(text, "rt: hello\nrt: latmon up\n");
	free(text);

	/* Wrapped: byte n at data[n % size]; the oldest SLACK bytes may be mid-overwrite. */
	uint64_t written = 3 * BH_LATMON_CONSOLE_BYTES + 100;
	for (uint64_t n = written - BH_LATMON_CONSOLE_BYTES; n < written; n++)
		ch->console.data[n % BH_LATMON_CONSOLE_BYTES] = (char)('a' + n % 26);
	ch->console.written = written;
	struct bhctl_latmon *lm = snapshot_ok(ch, plain_copy, NULL);
	assert_int_equal(lm->console_end, written);
	assert_int_equal(lm->console_first,
			 written - BH_LATMON_CONSOLE_BYTES + BHCTL_CONSOLE_SLACK_BYTES);
	bhctl_print_console(capture_start(&c), lm);
	text = capture_end(&c);
	size_t expected = BH_LATMON_CONSOLE_BYTES - BHCTL_CONSOLE_SLACK_BYTES;
	assert_int_equal(strlen(text), expected + 1); /* and a final newline */
	assert_int_equal(text[0], 'a' + (int)(lm->console_first % 26));
	assert_int_equal(text[expected - 1], 'a' + (int)((written - 1) % 26));
	free(text);
	free(ch);
}

/* ---- top and --json ---- */

/* Two frames 2 s apart: CPU 0 took 2,400 more interrupts and 4 more GICD traps; latmon's CPU 2
 * woke 2,000 times (10 of them at 40 µs), CPU 3 once past the histogram and missed 4 periods. */
static void make_frames(struct bhctl_frame *prev, struct bhctl_frame *now)
{
	struct bh_hv_status *st = make_status();
	struct bh_latmon_channel *ch = make_channel();

	memset(prev, 0, sizeof(*prev));
	prev->st = *st;
	prev->lm.ch = *ch;
	prev->latmon = true;
	prev->time_ns = 5000000000ull;
	*now = *prev;
	now->time_ns = prev->time_ns + 2000000000ull;
	now->st.cpus[0].entries[BH_ENTRY_IRQ] += 2400;
	now->st.cpus[0].entries[BH_ENTRY_GICD] += 4;
	now->st.cpus[0].entries_total += 2404;
	now->lm.ch.cpus[0].samples += 2000;
	now->lm.ch.cpus[0].histogram[5] += 1990;
	now->lm.ch.cpus[0].histogram[40] += 10;
	now->lm.ch.cpus[0].last_ns = 6200;
	now->lm.ch.cpus[1].samples += 1;
	now->lm.ch.cpus[1].overflows += 1;
	now->lm.ch.cpus[1].missed_periods += 4;
	free(st);
	free(ch);
}

static void test_top_prints_entries_per_second_and_the_intervals_latency(void **state)
{
	static struct bhctl_frame prev, now;
	struct capture c;
	char line[512];

	(void)state;
	make_frames(&prev, &now);
	bhctl_print_top(capture_start(&c), &prev, &now, false);
	char *text = capture_end(&c);
	assert_int_equal(line_count(text), 10);
	assert_string_equal(line_of(text, 0, line, sizeof(line)),
			    "bhctl top: hypervisor entries per second by reason, over 2.000 s");
	assert_string_equal(
		line_of(text, 1, line, sizeof(line)),
		"cpu cell                total/s hypercall      psci stage2-fault      gicd"
		"      gicr    sysreg       irq       wfx     other");
	assert_string_equal(
		line_of(text, 2, line, sizeof(line)),
		"0   linux                  1202         0         0            0         2"
		"         0         0      1200         0         0");
	assert_string_equal(
		line_of(text, 5, line, sizeof(line)),
		"3   ticker                    0         0         0            0         0"
		"         0         0         0         0         0");
	assert_non_null(strstr(line_of(text, 6, line, sizeof(line)),
			       "wall clock: on an emulator, the host's scheduling of it"));
	assert_string_equal(line_of(text, 8, line, sizeof(line)),
			    "2         1000         0        6              40       12");
	assert_string_equal(line_of(text, 9, line, sizeof(line)),
			    "3            1         2      999          >=1000     1500");
	free(text);
}

static void test_top_without_latmon_still_shows_entries(void **state)
{
	static struct bhctl_frame prev, now;
	struct capture c;
	char line[512];

	(void)state;
	make_frames(&prev, &now);
	now.latmon = false;
	bhctl_print_top(capture_start(&c), &prev, &now, false);
	char *text = capture_end(&c);
	assert_int_equal(line_count(text), 7);
	assert_string_equal(line_of(text, 6, line, sizeof(line)),
			    "realtime latency: latmon not running");
	free(text);
}

static void test_json_top_and_snapshot_hold_rates_and_counters(void **state)
{
	static struct bhctl_frame prev, now;
	struct capture c;

	(void)state;
	make_frames(&prev, &now);
	bhctl_print_top(capture_start(&c), &prev, &now, true);
	char *text = capture_end(&c);
	assert_int_equal(line_count(text), 1);
	assert_non_null(strstr(text, "{\"interval_ns\":2000000000,\"entries_per_s\":[{\"cpu\":0,"
				     "\"cell\":\"linux\",\"total\":1202,\"hypercall\":0,"));
	assert_non_null(strstr(text, "\"gicd\":2,\"gicr\":0,\"sysreg\":0,\"irq\":1200,"));
	assert_non_null(strstr(text, "{\"cpu\":3,\"samples\":1,\"missed\":4,\"overflows\":1,"));
	free(text);
	bhctl_print_json(capture_start(&c), &now.st, &now.lm);
	text = capture_end(&c);
	assert_int_equal(line_count(text), 1);
	assert_non_null(strstr(text, "{\"id\":1,\"name\":\"ticker\",\"state\":\"stopped\","
				     "\"cpu_mask\":8,\"memory_bytes\":16777216,\"realtime\":true,"
				     "\"exit_code\":-3}"));
	assert_non_null(strstr(text, "{\"cpu\":0,\"cell\":\"linux\",\"total\":3642,"));
	assert_non_null(strstr(text, "\"latmon\":{\"cell\":1,\"state\":\"running\",\"cpus\":[{"
				     "\"cpu\":2,\"samples\":2010,"));
	free(text);
	strcpy(now.st.cells[1].name, "t\"k\\\n");
	bhctl_print_json(capture_start(&c), &now.st, NULL);
	text = capture_end(&c);
	assert_non_null(strstr(text, "\"name\":\"t\\\"k\\\\\\u000a\""));
	assert_non_null(strstr(text, "],\"latmon\":null}\n"));
	free(text);
}

/* ---- the OEMB ACPI table (x86 cells) ---- */

struct oemb {
	uint8_t bytes[BH_ACPI_HEADER_BYTES + 3 * sizeof(struct bh_acpi_region)];
	size_t len;
};

static void oemb_add(struct oemb *t, uint32_t kind, uint64_t base, uint64_t size, const char *label)
{
	struct bh_acpi_region r = { .guest_phys = base, .size_bytes = size, .kind = kind };

	snprintf(r.label, sizeof(r.label), "%s", label);
	memcpy(t->bytes + t->len, &r, sizeof(r));
	t->len += sizeof(r);
}

static void oemb_seal(struct oemb *t)
{
	uint8_t sum = 0;

	memcpy(t->bytes, BH_ACPI_REGIONS_SIGNATURE, 4);
	for (int i = 0; i < 4; i++)
		t->bytes[4 + i] = (uint8_t)(t->len >> (8 * i));
	t->bytes[8] = BH_ACPI_REGIONS_REVISION;
	t->bytes[9] = 0;
	for (size_t i = 0; i < t->len; i++)
		sum = (uint8_t)(sum + t->bytes[i]);
	t->bytes[9] = (uint8_t)-sum;
}

static void oemb_two_channels(struct oemb *t)
{
	memset(t, 0, sizeof(*t));
	t->len = BH_ACPI_HEADER_BYTES;
	oemb_add(t, BH_ACPI_REGION_CHANNEL, 0x6100000, 0x100000, "telemetry");
	oemb_add(t, BH_ACPI_REGION_HV_STATUS, 0x6000000, 0x1000, "");
	oemb_add(t, BH_ACPI_REGION_CHANNEL, 0x6200000, 0x2000, "results");
	oemb_seal(t);
}

static void test_acpi_table_gives_status_page_and_channel_by_label(void **state)
{
	(void)state;
	struct oemb t;
	uint64_t base = 0, size = 0;
	char why[128];

	oemb_two_channels(&t);
	assert_int_equal(bhctl_acpi_find(t.bytes, t.len, BH_ACPI_REGION_HV_STATUS, NULL, &base,
					 &size, why, sizeof(why)),
			 0);
	assert_int_equal(base, 0x6000000);
	assert_int_equal(size, 0x1000);
	assert_int_equal(bhctl_acpi_find(t.bytes, t.len, BH_ACPI_REGION_CHANNEL, "results", &base,
					 &size, why, sizeof(why)),
			 0);
	assert_int_equal(base, 0x6200000);
	assert_int_equal(size, 0x2000);
	assert_int_equal(bhctl_acpi_find(t.bytes, t.len, BH_ACPI_REGION_CHANNEL, "missing", &base,
					 &size, why, sizeof(why)),
			 BHCTL_ACPI_ABSENT);
	assert_string_equal(why, " \"telemetry\" \"results\"");
}

static void test_acpi_table_damaged_is_named_not_read(void **state)
{
	(void)state;
	struct oemb t;
	uint64_t base = 0, size = 0;
	char why[128];

	oemb_two_channels(&t);
	t.bytes[BH_ACPI_HEADER_BYTES] ^= 1; /* the checksum no longer holds */
	assert_int_equal(bhctl_acpi_find(t.bytes, t.len, BH_ACPI_REGION_HV_STATUS, NULL, &base,
					 &size, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "checksum"));
	oemb_two_channels(&t);
	assert_int_equal(bhctl_acpi_find(t.bytes, t.len - 8, BH_ACPI_REGION_HV_STATUS, NULL, &base,
					 &size, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "length"));
	memcpy(t.bytes, "APIC", 4);
	assert_int_equal(bhctl_acpi_find(t.bytes, t.len, BH_ACPI_REGION_HV_STATUS, NULL, &base,
					 &size, why, sizeof(why)),
			 -1);
	assert_int_equal(base, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells_table_lists_state_cpus_memory_flags_and_exit_code),
		cmocka_unit_test(test_stats_print_every_reason_per_cpu_and_filter_by_cell),
		cmocka_unit_test(test_status_page_refused_with_the_reason),
		cmocka_unit_test(test_latency_prints_cyclictest_summary_and_missed_periods),
		cmocka_unit_test(test_histogram_has_every_bucket_totals_and_overflows),
		cmocka_unit_test(test_torn_latmon_record_is_read_again),
		cmocka_unit_test(test_record_stuck_mid_update_is_an_error_not_a_hang),
		cmocka_unit_test(test_channel_refused_with_the_reason),
		cmocka_unit_test(test_console_prints_ring_in_order_and_drops_overwritable_bytes),
		cmocka_unit_test(test_top_prints_entries_per_second_and_the_intervals_latency),
		cmocka_unit_test(test_top_without_latmon_still_shows_entries),
		cmocka_unit_test(test_json_top_and_snapshot_hold_rates_and_counters),
		cmocka_unit_test(test_acpi_table_gives_status_page_and_channel_by_label),
		cmocka_unit_test(test_acpi_table_damaged_is_named_not_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
