/*
 * latmon (cyclictest -m -p 99 -i 1000 -h 1000 per CPU): latency = wake-up
 * time - release time of an absolute periodic schedule; a release point that
 * passed while the thread had not yet run again is a missed period (counted,
 * not measured). Two paths per wake-up: release -> the timer interrupt
 * finding the thread's timer expired (the handler), and release -> the
 * thread running. The channel keeps the thread path in 1 µs buckets for
 * readers while it runs; private fine histograms (one counter tick per
 * bucket) keep both paths for the closing report, whose cyclictest-format
 * blocks tools read (bulkhead measure). The CPUs' schedules are staggered by
 * interval / CPUs, as cyclictest's thread distance, so no two CPUs' timers
 * fire together. Invariants: each CPU's record has this CPU's thread as only
 * writer; a thread makes its two hypervisor calls (entry statistics) before
 * its first and after its last period, never in between.
 */
#include <bulkhead/hypercall.h>
#include <lib/format.h>
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "latmon.h"
#include "telemetry.h"

#define STACK_BYTES 8192
#define NS_PER_US 1000u
#define NS_PER_S 1000000000ull
/* 4096 counter ticks: 65 µs at 62.5 MHz, 4 µs at 1 GHz; later samples are
 * overflows there (the µs histogram still has them). */
#define FINE_BUCKETS 4096

struct fine_histogram {
	uint64_t samples;
	uint64_t overflows;
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t sum_ns;
	uint32_t counts[FINE_BUCKETS];
};

struct latmon_cpu {
	struct rt_thread thread;
	uint64_t periods_wanted;
	int64_t stats_before_result;
	int64_t stats_after_result;
	struct bh_cpu_stats before;
	struct bh_cpu_stats after;
	struct fine_histogram thread_fine;
	struct fine_histogram handler_fine;
	uint8_t stack[STACK_BYTES] __attribute__((aligned(16)));
};

static struct latmon_cpu cpus[BH_LATMON_MAX_CPUS];
static unsigned ncpus;
static volatile uint32_t stop_requested;
static struct rt_sem *ended_event;
static unsigned ended;
static uint64_t fine_bucket_ns; /* one counter tick, rounded up */
static uint64_t schedule_start_ns; /* CPU k's first release: start + k * stagger */

static int64_t read_stats(unsigned cpu, struct bh_cpu_stats *out)
{
	if (!rtarch_boot_info())
		return -BH_ENOSYS;
	return rtarch_hypercall(BH_HC_CPU_STATS, rtarch_cpu_logical(cpu), (uintptr_t)out,
				sizeof(*out));
}

static void record(unsigned cpu, uint64_t latency_ns, uint64_t now)
{
	struct bh_latmon_cpu *rec = telemetry_cpu_begin(cpu);
	uint64_t us = latency_ns / NS_PER_US;

	rec->samples++;
	rec->last_ns = latency_ns;
	rec->sum_ns += latency_ns;
	if (latency_ns < rec->min_ns)
		rec->min_ns = latency_ns;
	if (latency_ns > rec->max_ns)
		rec->max_ns = latency_ns;
	if (us < BH_LATMON_HISTOGRAM_BUCKETS)
		rec->histogram[us]++;
	else
		rec->overflows++;
	telemetry_cpu_end(rec, now);
}

static void fine_add(struct fine_histogram *h, uint64_t latency_ns)
{
	uint64_t bucket = latency_ns / fine_bucket_ns;

	if (!h->samples || latency_ns < h->min_ns)
		h->min_ns = latency_ns;
	if (latency_ns > h->max_ns)
		h->max_ns = latency_ns;
	h->samples++;
	h->sum_ns += latency_ns;
	if (bucket < FINE_BUCKETS)
		h->counts[bucket]++;
	else
		h->overflows++;
}

static void count_missed(unsigned cpu, uint64_t missed, uint64_t now)
{
	struct bh_latmon_cpu *rec = telemetry_cpu_begin(cpu);

	rec->missed_periods += missed;
	telemetry_cpu_end(rec, now);
}

/*
 * A run of a fixed number of periods counts only the missed periods inside
 * it, so that samples + missed is exactly the number asked for even when the
 * last wake-up came several periods late.
 */
static uint64_t missed_in_run(const struct latmon_cpu *me, const struct bh_latmon_cpu *rec,
			      uint64_t missed)
{
	uint64_t left;

	if (!me->periods_wanted)
		return missed;
	left = me->periods_wanted - rec->samples - rec->missed_periods;
	return missed < left ? missed : left;
}

static void latmon_main(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	struct latmon_cpu *me = &cpus[cpu];
	const struct bh_latmon_cpu *rec = &telemetry_channel()->cpus[cpu];
	uint64_t interval_ns = (uint64_t)LATMON_INTERVAL_US * NS_PER_US;

	struct rt_thread *self = rt_thread_self();
	uint64_t stagger_ns = interval_ns / ncpus;

	me->stats_before_result = read_stats(cpu, &me->before);
	rt_periodic_start_at(schedule_start_ns + cpu * stagger_ns, interval_ns);
	while (!stop_requested &&
	       (!me->periods_wanted || rec->samples + rec->missed_periods < me->periods_wanted)) {
		uint64_t release = self->next_release_ns;
		int missed = rt_periodic_wait();
		uint64_t now = rt_now_ns();
		uint64_t fired = self->timer.fired_ns;

		if (missed > 0) {
			/* It had not run again before its next release point(s): those
			 * periods are lost; the schedule continues at the next one. */
			count_missed(cpu, missed_in_run(me, rec, (uint64_t)missed), now);
			continue;
		}
		record(cpu, now - release, now);
		fine_add(&me->thread_fine, now - release);
		/* Woken by its own timer this period (not a stale stamp). */
		if (fired >= release && fired <= now)
			fine_add(&me->handler_fine, fired - release);
	}
	me->stats_after_result = read_stats(cpu, &me->after);
	__atomic_add_fetch(&ended, 1, __ATOMIC_RELEASE);
	rt_sem_give(ended_event);
}

int latmon_start(uint64_t periods, struct rt_sem *ended_sem)
{
	struct bh_latmon_channel *ch = telemetry_channel();

	uint64_t hz = rtarch_counter_hz();

	ncpus = ch->cpu_count;
	fine_bucket_ns = hz ? (NS_PER_S + hz - 1) / hz : 1;
	/* Far enough ahead for every thread to be waiting before its phase point. */
	schedule_start_ns = rt_now_ns() + (uint64_t)LATMON_INTERVAL_US * NS_PER_US;
	stop_requested = 0;
	ended_event = ended_sem;
	ended = 0;
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		struct latmon_cpu *me = &cpus[cpu];
		struct rt_thread_attr attr = {
			.name = "latmon",
			.prio = LATMON_PRIO,
			.cpu = (uint8_t)cpu,
			.entry = latmon_main,
			.arg = (void *)(uintptr_t)cpu,
			.stack = me->stack,
			.stack_size = sizeof(me->stack),
		};
		struct bh_latmon_cpu *rec = telemetry_cpu_begin(cpu);
		int ret;

		rec->priority = LATMON_PRIO;
		rec->interval_us = LATMON_INTERVAL_US;
		telemetry_cpu_end(rec, rt_now_ns());
		me->periods_wanted = periods;
		ret = rt_thread_create(&me->thread, &attr);
		if (!ret)
			ret = rt_thread_start(&me->thread);
		if (ret)
			return ret;
	}
	return 0;
}

void latmon_stop(void)
{
	__atomic_store_n(&stop_requested, 1, __ATOMIC_RELEASE);
}

unsigned latmon_ended(void)
{
	return __atomic_load_n(&ended, __ATOMIC_ACQUIRE);
}

uint64_t latmon_missed(void)
{
	uint64_t missed = 0;

	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		missed += telemetry_channel()->cpus[cpu].missed_periods;
	return missed;
}

bool latmon_window_entries(unsigned cpu, uint64_t *entries)
{
	const struct latmon_cpu *me = &cpus[cpu];

	if (me->stats_before_result < 0 || me->stats_after_result < 0)
		return false;
	/* The closing read is itself one entry (counted before it copies). */
	*entries = me->after.entries_total - me->before.entries_total - 1;
	return true;
}

/* Smallest bucket (µs) at or below which `permille` of the samples lie;
 * BH_LATMON_HISTOGRAM_BUCKETS when that falls among the overflows. */
static unsigned percentile_us(const struct bh_latmon_cpu *r, unsigned permille)
{
	uint64_t want = (r->samples * permille + 999) / 1000, seen = 0;

	for (unsigned us = 0; us < BH_LATMON_HISTOGRAM_BUCKETS; us++) {
		seen += r->histogram[us];
		if (seen >= want && want)
			return us;
	}
	return BH_LATMON_HISTOGRAM_BUCKETS;
}

#define LINE_BYTES 200 /* a report line: 8 CPUs' columns fit */

/* One CPU's column of a cyclictest -h block. */
struct histogram_column {
	const uint32_t *counts;
	uint64_t totals[5]; /* samples, min, avg, max, overflows, in the printed unit */
};

static void column_of_channel(unsigned cpu, struct histogram_column *c)
{
	const struct bh_latmon_cpu *r = &telemetry_channel()->cpus[cpu];
	uint64_t avg_ns = r->samples ? r->sum_ns / r->samples : 0;

	*c = (struct histogram_column){
		r->histogram,
		{ r->samples, (r->samples ? r->min_ns : 0) / NS_PER_US, avg_ns / NS_PER_US,
		  r->max_ns / NS_PER_US, r->overflows },
	};
}

static void column_of_fine(const struct fine_histogram *h, struct histogram_column *c)
{
	*c = (struct histogram_column){
		h->counts,
		{ h->samples, h->min_ns, h->samples ? h->sum_ns / h->samples : 0, h->max_ns,
		  h->overflows },
	};
}

/* Appends one value per CPU (bucket `index` of the counts, or totals[index])
 * to the LINE_BYTES buffer `line` after its first `len` characters; prints it. */
static void print_row(char *line, int len, const struct histogram_column *cols, unsigned index,
		      bool of_counts)
{
	for (unsigned cpu = 0; cpu < ncpus && len < LINE_BYTES; cpu++) {
		uint64_t v = of_counts ? cols[cpu].counts[index] : cols[cpu].totals[index];

		len += format_snprintf(line + len, LINE_BYTES - (size_t)len,
				       of_counts ? " %06lu" : " %05lu", (unsigned long)v);
	}
	rt_printf("%s\n", line);
}

/* cyclictest's -h block, one column per CPU, rows only where some CPU has
 * samples (as cyclictest prints them), between "latmon: histogram NAME
 * begin/end" lines. */
static void print_histogram(const char *name, unsigned buckets, uint64_t bucket_width,
			    const struct histogram_column *cols)
{
	static const char *const fields[] = { "Total", "Min Latencies", "Avg Latencies",
					      "Max Latencies", "Histogram Overflows" };
	char line[LINE_BYTES];

	rt_printf("latmon: histogram %s begin\n# Histogram\n", name);
	for (unsigned b = 0; b < buckets; b++) {
		bool any = false;

		for (unsigned cpu = 0; cpu < ncpus; cpu++)
			/* ncpus is set once, by latmon_start; the analyzer assumes the
			 * rt_printf calls may grow it past the columns filled. */
			/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
			any |= cols[cpu].counts[b] != 0;
		if (any)
			print_row(line,
				  format_snprintf(line, sizeof(line), "%06lu",
						  (unsigned long)(b * bucket_width)),
				  cols, b, true);
	}
	for (unsigned f = 0; f < 5; f++)
		print_row(line, format_snprintf(line, sizeof(line), "# %s:", fields[f]), cols, f,
			  false);
	rt_printf("latmon: histogram %s end\n", name);
}

/* Three blocks: the thread path in µs (cyclictest -h 1000) and both paths in
 * ns at counter-tick resolution (as cyclictest -N). */
static void print_histograms(void)
{
	struct histogram_column cols[BH_LATMON_MAX_CPUS];

	rt_printf("latmon: counter %lu Hz, fine bucket %lu ns\n",
		  (unsigned long)rtarch_counter_hz(), (unsigned long)fine_bucket_ns);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		column_of_channel(cpu, &cols[cpu]);
	print_histogram("thread-us", BH_LATMON_HISTOGRAM_BUCKETS, 1, cols);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		column_of_fine(&cpus[cpu].thread_fine, &cols[cpu]);
	print_histogram("thread-ns", FINE_BUCKETS, fine_bucket_ns, cols);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		column_of_fine(&cpus[cpu].handler_fine, &cols[cpu]);
	print_histogram("handler-ns", FINE_BUCKETS, fine_bucket_ns, cols);
}

void latmon_report(void)
{
	static const char *const reason_names[] = BH_ENTRY_REASON_NAMES;

	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		const struct bh_latmon_cpu *r = &telemetry_channel()->cpus[cpu];
		uint64_t avg = r->samples ? r->sum_ns / r->samples : 0;
		uint64_t min = r->samples ? r->min_ns : 0;
		uint64_t entries;

		/* cyclictest's line, in µs; the thread id column is the CPU's
		 * hypervisor logical number. */
		rt_printf("T:%2u (%5u) P:%2u I:%u C:%7lu Min:%7lu Act:%5lu Avg:%5lu Max:%8lu\n",
			  cpu, r->cpu_logical, r->priority, r->interval_us,
			  (unsigned long)r->samples, (unsigned long)(min / NS_PER_US),
			  (unsigned long)(r->last_ns / NS_PER_US), (unsigned long)(avg / NS_PER_US),
			  (unsigned long)(r->max_ns / NS_PER_US));
		rt_printf("latmon: cpu=%u logical=%u samples=%lu missed=%lu overflows=%lu "
			  "min_ns=%lu avg_ns=%lu max_ns=%lu\n",
			  cpu, r->cpu_logical, (unsigned long)r->samples,
			  (unsigned long)r->missed_periods, (unsigned long)r->overflows,
			  (unsigned long)min, (unsigned long)avg, (unsigned long)r->max_ns);
		rt_printf("latmon: cpu=%u p50_us=%u p99_us=%u p999_us=%u\n", cpu,
			  percentile_us(r, 500), percentile_us(r, 990), percentile_us(r, 999));
		if (latmon_window_entries(cpu, &entries)) {
			const struct latmon_cpu *me = &cpus[cpu];
			char deltas[160];
			int len = 0;

			for (unsigned k = 0; k < BH_ENTRY_REASONS && len < (int)sizeof(deltas);
			     k++) {
				uint64_t d = me->after.entries[k] - me->before.entries[k];

				if (k == BH_ENTRY_HYPERCALL)
					d -= 1;
				len += format_snprintf(deltas + len, sizeof(deltas) - (size_t)len,
						       " %s=%lu", reason_names[k],
						       (unsigned long)d);
			}
			rt_printf("latmon: cpu=%u logical=%u window_entries=%lu%s\n", cpu,
				  r->cpu_logical, (unsigned long)entries, deltas);
		}
	}
	print_histograms();
	rt_printf("latmon: missed=%lu\n", (unsigned long)latmon_missed());
}
