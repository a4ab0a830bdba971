/*
 * `bhctl top`'s frames and `bhctl --json` (bhctl.h): pure functions of two
 * snapshots a known time apart. Rates are differences over that time, so a
 * frame says what happened in its interval, not since boot. Latency figures
 * are latmon's wall clock (on an emulator: the host's scheduling of it); the
 * interval's maximum comes from the histogram's difference, so past its last
 * bucket it is only known to be at least that.
 */
#include <inttypes.h>
#include <string.h>

#include "bhctl.h"

static const char *const reason_names[BH_ENTRY_REASONS] = BH_ENTRY_REASON_NAMES;

/* Events per second over `elapsed_ns`, rounded to the nearest whole. */
static uint64_t per_second(uint64_t before, uint64_t after, uint64_t elapsed_ns)
{
	uint64_t n = after >= before ? after - before : 0;

	if (!elapsed_ns)
		return 0;
	return (uint64_t)(((unsigned __int128)n * 1000000000u + elapsed_ns / 2) / elapsed_ns);
}

/* `text` as a JSON string: quotes, backslashes and control bytes escaped. */
static void json_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

const char *bhctl_cpu_owner(const struct bh_hv_status *st, uint32_t cpu)
{
	uint32_t cell = st->cpus[cpu].cell_id;

	return cell < st->cell_count ? st->cells[cell].name : "-";
}

void bhctl_interval_latency(const struct bh_latmon_cpu *before, const struct bh_latmon_cpu *after,
			    struct bhctl_interval_latency *out)
{
	memset(out, 0, sizeof(*out));
	out->samples = after->samples - before->samples;
	out->missed = after->missed_periods - before->missed_periods;
	out->overflows = after->overflows - before->overflows;
	for (int b = BH_LATMON_HISTOGRAM_BUCKETS - 1; b >= 0 && !out->max_us; b--)
		if (after->histogram[b] != before->histogram[b])
			out->max_us = (uint32_t)b;
}

static int rate_width(unsigned int reason)
{
	int len = (int)strlen(reason_names[reason]);

	return len < 9 ? 9 : len;
}

static void print_entries(FILE *out, const struct bhctl_frame *prev, const struct bhctl_frame *now,
			  uint64_t elapsed_ns)
{
	fprintf(out, "%-3s %-16s %10s", "cpu", "cell", "total/s");
	for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
		fprintf(out, " %*s", rate_width(r), reason_names[r]);
	fprintf(out, "\n");
	for (uint32_t cpu = 0; cpu < now->st.cpu_count && cpu < BH_HV_STATUS_MAX_CPUS; cpu++) {
		const struct bh_cpu_stats *a = &prev->st.cpus[cpu], *b = &now->st.cpus[cpu];

		fprintf(out, "%-3u %-16s %10" PRIu64, cpu, bhctl_cpu_owner(&now->st, cpu),
			per_second(a->entries_total, b->entries_total, elapsed_ns));
		for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
			fprintf(out, " %*" PRIu64, rate_width(r),
				per_second(a->entries[r], b->entries[r], elapsed_ns));
		fprintf(out, "\n");
	}
}

static void print_latency(FILE *out, const struct bhctl_frame *prev, const struct bhctl_frame *now,
			  uint64_t elapsed_ns)
{
	const struct bh_latmon_channel *ch = &now->lm.ch;

	if (!now->latmon || !prev->latmon) {
		fprintf(out, "realtime latency: latmon not running\n");
		return;
	}
	fprintf(out,
		"realtime latency (latmon, cell %u, %s; wall clock: on an emulator, the host's "
		"scheduling of it)\n",
		ch->cell_id, bhctl_latmon_state_name(ch->state));
	fprintf(out, "%-3s %10s %9s %8s %15s %8s\n", "cpu", "wake-ups/s", "missed/s", "last us",
		"interval max us", "max us");
	for (uint32_t i = 0; i < ch->cpu_count && i < prev->lm.ch.cpu_count; i++) {
		const struct bh_latmon_cpu *a = &prev->lm.ch.cpus[i], *b = &ch->cpus[i];
		struct bhctl_interval_latency d;
		char interval_max[24];

		bhctl_interval_latency(a, b, &d);
		if (d.overflows)
			snprintf(interval_max, sizeof(interval_max), ">=%d",
				 BH_LATMON_HISTOGRAM_BUCKETS);
		else if (d.samples)
			snprintf(interval_max, sizeof(interval_max), "%u", d.max_us);
		else
			snprintf(interval_max, sizeof(interval_max), "-");
		fprintf(out, "%-3u %10" PRIu64 " %9" PRIu64 " %8" PRIu64 " %15s %8" PRIu64 "\n",
			b->cpu_logical, per_second(a->samples, b->samples, elapsed_ns),
			per_second(a->missed_periods, b->missed_periods, elapsed_ns),
			b->last_ns / 1000u, interval_max, b->max_ns / 1000u);
	}
}

static void print_top_json(FILE *out, const struct bhctl_frame *prev, const struct bhctl_frame *now,
			   uint64_t elapsed_ns)
{
	fprintf(out, "{\"interval_ns\":%" PRIu64 ",\"entries_per_s\":[", elapsed_ns);
	for (uint32_t cpu = 0; cpu < now->st.cpu_count && cpu < BH_HV_STATUS_MAX_CPUS; cpu++) {
		const struct bh_cpu_stats *a = &prev->st.cpus[cpu], *b = &now->st.cpus[cpu];

		fprintf(out, "%s{\"cpu\":%u,\"cell\":", cpu ? "," : "", cpu);
		json_string(out, bhctl_cpu_owner(&now->st, cpu));
		fprintf(out, ",\"total\":%" PRIu64,
			per_second(a->entries_total, b->entries_total, elapsed_ns));
		for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
			fprintf(out, ",\"%s\":%" PRIu64, reason_names[r],
				per_second(a->entries[r], b->entries[r], elapsed_ns));
		fprintf(out, "}");
	}
	fprintf(out, "],\"latency\":");
	if (!now->latmon || !prev->latmon) {
		fprintf(out, "null}\n");
		return;
	}
	fprintf(out, "[");
	for (uint32_t i = 0; i < now->lm.ch.cpu_count && i < prev->lm.ch.cpu_count; i++) {
		const struct bh_latmon_cpu *a = &prev->lm.ch.cpus[i], *b = &now->lm.ch.cpus[i];
		struct bhctl_interval_latency d;

		bhctl_interval_latency(a, b, &d);
		fprintf(out,
			"%s{\"cpu\":%u,\"samples\":%" PRIu64 ",\"missed\":%" PRIu64
			",\"overflows\":%" PRIu64 ",\"interval_max_us\":%u,\"last_ns\":%" PRIu64
			",\"max_ns\":%" PRIu64 "}",
			i ? "," : "", b->cpu_logical, d.samples, d.missed, d.overflows, d.max_us,
			b->last_ns, b->max_ns);
	}
	fprintf(out, "]}\n");
}

void bhctl_print_top(FILE *out, const struct bhctl_frame *prev, const struct bhctl_frame *now,
		     bool json)
{
	uint64_t elapsed_ns = now->time_ns - prev->time_ns;

	if (json) {
		print_top_json(out, prev, now, elapsed_ns);
		return;
	}
	fprintf(out,
		"bhctl top: hypervisor entries per second by reason, over %" PRIu64 ".%03" PRIu64
		" s\n",
		elapsed_ns / 1000000000u, elapsed_ns / 1000000u % 1000u);
	print_entries(out, prev, now, elapsed_ns);
	print_latency(out, prev, now, elapsed_ns);
}

void bhctl_print_json(FILE *out, const struct bh_hv_status *st, const struct bhctl_latmon *lm)
{
	fprintf(out, "{\"cells\":[");
	for (uint32_t i = 0; i < st->cell_count && i < BH_HV_STATUS_MAX_CELLS; i++) {
		const struct bh_cell_status *c = &st->cells[i];

		fprintf(out, "%s{\"id\":%u,\"name\":", i ? "," : "", i);
		json_string(out, c->name);
		fprintf(out,
			",\"state\":\"%s\",\"cpu_mask\":%" PRIu64 ",\"memory_bytes\":%" PRIu64
			",\"realtime\":%s,\"exit_code\":%d}",
			bhctl_state_name(c->state), c->cpu_mask, c->memory_bytes,
			c->flags & 1u ? "true" : "false", c->exit_code);
	}
	fprintf(out, "],\"cpus\":[");
	for (uint32_t cpu = 0; cpu < st->cpu_count && cpu < BH_HV_STATUS_MAX_CPUS; cpu++) {
		fprintf(out, "%s{\"cpu\":%u,\"cell\":", cpu ? "," : "", cpu);
		json_string(out, bhctl_cpu_owner(st, cpu));
		fprintf(out, ",\"total\":%" PRIu64, st->cpus[cpu].entries_total);
		for (unsigned int r = 0; r < BH_ENTRY_REASONS; r++)
			fprintf(out, ",\"%s\":%" PRIu64, reason_names[r], st->cpus[cpu].entries[r]);
		fprintf(out, "}");
	}
	fprintf(out, "],\"latmon\":");
	if (!lm) {
		fprintf(out, "null}\n");
		return;
	}
	fprintf(out, "{\"cell\":%u,\"state\":\"%s\",\"cpus\":[", lm->ch.cell_id,
		bhctl_latmon_state_name(lm->ch.state));
	for (uint32_t i = 0; i < lm->ch.cpu_count; i++) {
		const struct bh_latmon_cpu *c = &lm->ch.cpus[i];

		fprintf(out,
			"%s{\"cpu\":%u,\"samples\":%" PRIu64 ",\"missed_periods\":%" PRIu64
			",\"overflows\":%" PRIu64 ",\"min_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64
			",\"sum_ns\":%" PRIu64 ",\"last_ns\":%" PRIu64 "}",
			i ? "," : "", c->cpu_logical, c->samples, c->missed_periods, c->overflows,
			c->min_ns, c->max_ns, c->sum_ns, c->last_ns);
	}
	fprintf(out, "]}}\n");
}
