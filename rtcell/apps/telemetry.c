/*
 * Telemetry channel set-up and the writer side of its per-CPU sequence
 * counters. Invariant: a reader that sees the same even sequence before and
 * after copying a record saw a consistent record; magic is written last (a
 * reader ignores the channel until then). Limit: the header's updated_ns is
 * written by every CPU without a counter (a plain 64-bit store, last wins).
 */
#include <lib/string.h>
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "telemetry.h"

static struct bh_latmon_channel private_channel;
static struct bh_latmon_channel *channel;
static bool shared;

static struct bh_latmon_channel *find_shared(void)
{
	const struct bh_boot_info *info = rtarch_boot_info();

	for (uint32_t i = 0; info && i < info->channel_count && i < BH_BOOTINFO_MAX_CHANNELS; i++) {
		const struct bh_boot_channel *ch = &info->channels[i];

		/* The name may fill all 16 bytes without a terminator. */
		if (memcmp(ch->name, "telemetry", sizeof("telemetry")) == 0 &&
		    (ch->flags & BH_REGION_WRITE) &&
		    ch->size_bytes >= sizeof(struct bh_latmon_channel))
			return (struct bh_latmon_channel *)(uintptr_t)ch->guest_phys;
	}
	return NULL;
}

void telemetry_init(unsigned ncpus)
{
	struct bh_latmon_channel *c = find_shared();

	/* Without a channel (bare, or a cell configured without one) latmon
	 * still measures and reports, into a copy nobody else can read. */
	shared = c != NULL;
	if (!c)
		c = &private_channel;
	__atomic_store_n(&c->magic, 0, __ATOMIC_RELEASE);
	memset(c, 0, sizeof(*c));
	c->version = BH_LATMON_VERSION;
	c->size_bytes = sizeof(*c);
	c->cpu_count = ncpus < BH_LATMON_MAX_CPUS ? ncpus : BH_LATMON_MAX_CPUS;
	c->state = BH_LATMON_STARTING;
	c->cell_id = rtarch_boot_info() ? rtarch_boot_info()->cell_id : 0;
	c->counter_hz = rtarch_counter_hz();
	c->started_ns = c->updated_ns = rt_now_ns();
	for (unsigned i = 0; i < c->cpu_count; i++) {
		c->cpus[i].cpu_logical = rtarch_cpu_logical(i);
		c->cpus[i].cpu_mpidr = rtarch_cpu_hwid(i);
		c->cpus[i].min_ns = UINT64_MAX;
	}
	__atomic_store_n(&c->magic, BH_LATMON_MAGIC, __ATOMIC_RELEASE);
	channel = c;
}

struct bh_latmon_channel *telemetry_channel(void)
{
	return channel;
}

bool telemetry_shared(void)
{
	return shared;
}

void telemetry_set_state(uint32_t state)
{
	channel->updated_ns = rt_now_ns();
	__atomic_store_n(&channel->state, state, __ATOMIC_RELEASE);
}

struct bh_latmon_cpu *telemetry_cpu_begin(unsigned cpu)
{
	struct bh_latmon_cpu *rec = &channel->cpus[cpu];

	__atomic_store_n(&rec->sequence, rec->sequence + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE); /* odd before the fields */
	return rec;
}

void telemetry_cpu_end(struct bh_latmon_cpu *rec, uint64_t now_ns)
{
	__atomic_store_n(&rec->sequence, rec->sequence + 1, __ATOMIC_RELEASE);
	channel->updated_ns = now_ns;
}
