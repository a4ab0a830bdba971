/*
 * Text forms of the latmon channel (bhctl.h) in cyclictest's own formats, so
 * tools that read cyclictest output read bhctl's: the `T:` summary line per
 * measured CPU and, with --histogram, cyclictest -h's histogram block. Times
 * are whole microseconds, rounded down, as cyclictest prints them. The tid
 * column holds the hypervisor's logical CPU: latmon threads have no Linux tid.
 */
#include "bhctl.h"

const char *bhctl_latmon_state_name(uint32_t state)
{
	switch (state) {
	case BH_LATMON_STARTING:
		return "starting";
	case BH_LATMON_RUNNING:
		return "running";
	case BH_LATMON_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

static unsigned long us(uint64_t ns)
{
	return (unsigned long)(ns / 1000u);
}

static unsigned long avg_us(const struct bh_latmon_cpu *c)
{
	return c->samples ? us(c->sum_ns / c->samples) : 0;
}

/* cyclictest -h: buckets, then the totals block (print_hist in cyclictest.c). */
static void print_histogram(FILE *out, const struct bh_latmon_channel *ch)
{
	uint32_t n = ch->cpu_count;

	fprintf(out, "# Histogram\n");
	for (int b = 0; b < BH_LATMON_HISTOGRAM_BUCKETS; b++) {
		fprintf(out, "%06d ", b);
		for (uint32_t i = 0; i < n; i++)
			fprintf(out, "%06lu%s", (unsigned long)ch->cpus[i].histogram[b],
				i + 1 < n ? "\t" : "");
		fprintf(out, "\n");
	}
	fprintf(out, "# Total:");
	for (uint32_t i = 0; i < n; i++) {
		unsigned long long total = 0;

		for (int b = 0; b < BH_LATMON_HISTOGRAM_BUCKETS; b++)
			total += ch->cpus[i].histogram[b];
		fprintf(out, " %09llu", total);
	}
	fprintf(out, "\n# Min Latencies:");
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, " %05lu", ch->cpus[i].samples ? us(ch->cpus[i].min_ns) : 0);
	fprintf(out, "\n# Avg Latencies:");
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, " %05lu", avg_us(&ch->cpus[i]));
	fprintf(out, "\n# Max Latencies:");
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, " %05lu", us(ch->cpus[i].max_ns));
	fprintf(out, "\n# Histogram Overflows:");
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, " %05lu", (unsigned long)ch->cpus[i].overflows);
	/* latmon keeps no cycle numbers of outliers: cyclictest's "others" form says so. */
	fprintf(out, "\n# Histogram Overflow at cycle number:\n");
	for (uint32_t i = 0; i < n; i++) {
		fprintf(out, "# Thread %u:", i);
		if (ch->cpus[i].overflows)
			fprintf(out, " # %05lu others", (unsigned long)ch->cpus[i].overflows);
		fprintf(out, "\n");
	}
}

void bhctl_print_latency(FILE *out, const struct bhctl_latmon *lm, bool histogram)
{
	const struct bh_latmon_channel *ch = &lm->ch;
	unsigned long long missed = 0;

	fprintf(out, "# latmon: cell %u, %s, %u CPU(s), clock %llu Hz\n", ch->cell_id,
		bhctl_latmon_state_name(ch->state), ch->cpu_count,
		(unsigned long long)ch->counter_hz);
	if (histogram)
		print_histogram(out, ch);
	for (uint32_t i = 0; i < ch->cpu_count; i++) {
		const struct bh_latmon_cpu *c = &ch->cpus[i];

		fprintf(out, "T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%5ld Avg:%5ld Max:%8ld\n",
			(int)i, (int)c->cpu_logical, (int)c->priority, (long)c->interval_us,
			(unsigned long)c->samples, (long)(c->samples ? us(c->min_ns) : 0),
			(long)us(c->last_ns), (long)avg_us(c), (long)us(c->max_ns));
		missed += c->missed_periods;
	}
	fprintf(out, "missed periods: %llu", missed);
	for (uint32_t i = 0; i < ch->cpu_count; i++)
		fprintf(out, "%sT:%2u %llu", i ? ", " : " (", i,
			(unsigned long long)ch->cpus[i].missed_periods);
	fprintf(out, "%s\n", ch->cpu_count ? ")" : "");
}

void bhctl_print_console(FILE *out, const struct bhctl_latmon *lm)
{
	const char *ring = lm->ch.console.data;

	for (uint64_t n = lm->console_first; n < lm->console_end; n++)
		fputc(ring[n % BH_LATMON_CONSOLE_BYTES], out);
	if (lm->console_end > lm->console_first &&
	    ring[(lm->console_end - 1) % BH_LATMON_CONSOLE_BYTES] != '\n')
		fputc('\n', out);
}
