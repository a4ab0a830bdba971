/*
 * Consistent copies of what the hypervisor and latmon publish (bhctl.h).
 * The status page has no lock: each field is one aligned store, so a copy is
 * a set of individually valid values. A latmon CPU record is read under its
 * sequence counter (latmon.h): 1. load the sequence (acquire); odd means an
 * update is under way: try again; 2. copy the record; 3. fence, load the
 * sequence again; if it moved the copy may be torn: try again. Bounded by
 * BHCTL_MAX_READ_TRIES so a writer stopped mid-update cannot hang bhctl.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "bhctl.h"

_Static_assert(sizeof(struct bh_hv_status) % 8 == 0, "status page copied in words");
_Static_assert(sizeof(struct bh_latmon_cpu) % 8 == 0, "latmon records copied in words");
_Static_assert(offsetof(struct bh_latmon_channel, console) % 8 == 0, "console copied in words");
_Static_assert(offsetof(struct bh_latmon_channel, cpus) % 8 == 0, "records copied in words");
_Static_assert(sizeof(struct bh_latmon_channel) % 8 == 0, "channel copied in words");

void bhctl_copy_words(void *dst, const volatile void *src, size_t size, void *ctx)
{
	const volatile uint64_t *from = src;
	uint64_t *to = dst;

	(void)ctx;
	for (size_t i = 0; i < size / 8; i++)
		to[i] = from[i];
}

static void say(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
}

static uint32_t load_u32(const volatile void *p)
{
	return __atomic_load_n((const volatile uint32_t *)p, __ATOMIC_ACQUIRE);
}

int bhctl_status_snapshot(const volatile void *page, size_t map_bytes, struct bh_hv_status *out,
			  char *why, size_t why_size, bhctl_copy_fn copy, void *ctx)
{
	if (map_bytes < sizeof(*out)) {
		say(why, why_size, "hv-status region is %zu bytes, the status page needs %zu",
		    map_bytes, sizeof(*out));
		return BHCTL_ERROR;
	}
	uint32_t magic = load_u32(page);
	if (magic == 0) {
		say(why, why_size, "hypervisor status page not initialised (magic 0)");
		return BHCTL_NOT_INITIALISED;
	}
	copy(out, page, sizeof(*out), ctx);
	if (out->magic != BH_HV_STATUS_MAGIC) {
		say(why, why_size,
		    "hypervisor status page: bad magic 0x%08x, expected 0x%08x (\"BHST\")",
		    out->magic, BH_HV_STATUS_MAGIC);
		return BHCTL_ERROR;
	}
	if (out->version != BH_HV_STATUS_VERSION) {
		say(why, why_size,
		    "hypervisor status page: version %u, bhctl understands version %u",
		    out->version, BH_HV_STATUS_VERSION);
		return BHCTL_ERROR;
	}
	if (out->size_bytes != sizeof(*out)) {
		say(why, why_size,
		    "hypervisor status page: %u bytes, bhctl expects %zu for version %u",
		    out->size_bytes, sizeof(*out), BH_HV_STATUS_VERSION);
		return BHCTL_ERROR;
	}
	if (out->cell_count > BH_HV_STATUS_MAX_CELLS || out->cpu_count > BH_HV_STATUS_MAX_CPUS) {
		say(why, why_size,
		    "hypervisor status page: %u cells and %u CPUs, at most %u and %u",
		    out->cell_count, out->cpu_count, BH_HV_STATUS_MAX_CELLS, BH_HV_STATUS_MAX_CPUS);
		return BHCTL_ERROR;
	}
	for (uint32_t i = 0; i < out->cell_count; i++)
		out->cells[i].name[sizeof(out->cells[i].name) - 1] = '\0';
	return 0;
}

/* Steps 1-3 of the file comment for one CPU record. */
static int read_cpu_record(const volatile struct bh_latmon_cpu *src, struct bh_latmon_cpu *dst,
			   unsigned int index, unsigned int *retries, char *why, size_t why_size,
			   bhctl_copy_fn copy, void *ctx)
{
	uint32_t before = 0;

	for (unsigned int attempt = 0; attempt < BHCTL_MAX_READ_TRIES; attempt++) {
		before = load_u32(&src->sequence);
		if (before & 1) {
			(*retries)++;
			continue;
		}
		copy(dst, src, sizeof(*dst), ctx);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (load_u32(&src->sequence) == before) {
			dst->sequence = before;
			return 0;
		}
		(*retries)++;
	}
	say(why, why_size,
	    "latmon record %u kept changing over %u reads (sequence %u): "
	    "is its writer stuck in an update?",
	    index, BHCTL_MAX_READ_TRIES, before);
	return BHCTL_ERROR;
}

/*
 * The ring holds byte n at data[n % size]; the writer stores bytes, then
 * advances `written`. Bytes older than (written after the copy) - size, and
 * BHCTL_CONSOLE_SLACK_BYTES more for a write under way but not yet counted,
 * may have been overwritten while we copied: drop them.
 */
static void read_console(const volatile struct bh_latmon_channel *src, struct bhctl_latmon *out,
			 bhctl_copy_fn copy, void *ctx)
{
	const volatile uint64_t *written = &src->console.written;
	uint64_t end = __atomic_load_n(written, __ATOMIC_ACQUIRE);

	copy(&out->ch.console, &src->console, sizeof(out->ch.console), ctx);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint64_t after = __atomic_load_n(written, __ATOMIC_ACQUIRE);
	uint64_t size = BH_LATMON_CONSOLE_BYTES;
	uint64_t first = end > size ? end - size : 0;
	uint64_t unsafe = after + BHCTL_CONSOLE_SLACK_BYTES > size
				  ? after + BHCTL_CONSOLE_SLACK_BYTES - size
				  : 0;

	if (unsafe > first)
		first = unsafe < end ? unsafe : end;
	out->console_first = first;
	out->console_end = end;
	out->ch.console.written = end;
}

int bhctl_latmon_snapshot(const volatile void *channel, size_t map_bytes, struct bhctl_latmon *out,
			  char *why, size_t why_size, bhctl_copy_fn copy, void *ctx)
{
	const volatile struct bh_latmon_channel *src = channel;
	struct bh_latmon_channel *ch = &out->ch;

	memset(out, 0, sizeof(*out));
	if (map_bytes < sizeof(*ch)) {
		say(why, why_size, "telemetry channel is %zu bytes, the latmon layout needs %zu",
		    map_bytes, sizeof(*ch));
		return BHCTL_ERROR;
	}
	if (load_u32(&src->magic) == 0) {
		say(why, why_size, "latmon not running (channel not initialised)");
		return BHCTL_NOT_INITIALISED;
	}
	copy(ch, src, offsetof(struct bh_latmon_channel, console), ctx);
	if (ch->magic != BH_LATMON_MAGIC) {
		say(why, why_size,
		    "telemetry channel: bad magic 0x%08x, expected 0x%08x (\"LTMN\")", ch->magic,
		    BH_LATMON_MAGIC);
		return BHCTL_ERROR;
	}
	if (ch->version != BH_LATMON_VERSION) {
		say(why, why_size,
		    "telemetry channel: latmon version %u, bhctl understands version %u",
		    ch->version, BH_LATMON_VERSION);
		return BHCTL_ERROR;
	}
	if (ch->size_bytes != sizeof(*ch)) {
		say(why, why_size, "telemetry channel: %u bytes, bhctl expects %zu for version %u",
		    ch->size_bytes, sizeof(*ch), BH_LATMON_VERSION);
		return BHCTL_ERROR;
	}
	if (ch->cpu_count > BH_LATMON_MAX_CPUS) {
		say(why, why_size, "telemetry channel: %u CPU records, at most %u", ch->cpu_count,
		    BH_LATMON_MAX_CPUS);
		return BHCTL_ERROR;
	}
	read_console(src, out, copy, ctx);
	for (uint32_t i = 0; i < ch->cpu_count; i++)
		if (read_cpu_record(&src->cpus[i], &ch->cpus[i], i, &out->retries, why, why_size,
				    copy, ctx))
			return BHCTL_ERROR;
	return 0;
}
