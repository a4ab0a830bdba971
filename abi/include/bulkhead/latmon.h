/*
 * The telemetry channel: what the realtime cell's latmon publishes for other
 * cells (bhctl latency in Linux) to read, placed at the start of a shared-
 * memory channel. One writer per record: latmon's thread on each CPU writes
 * its own struct bh_latmon_cpu; the console ring has a single writer too.
 * Readers never block the writer: each CPU record carries a sequence counter
 * (odd while an update is in progress; a reader retries when it changed).
 * Times are nanoseconds; counts are since latmon started.
 */
#ifndef BULKHEAD_LATMON_H
#define BULKHEAD_LATMON_H

#include <bulkhead/abi_types.h>

#define BH_LATMON_MAGIC 0x4e4d544cu /* "LTMN" */
#define BH_LATMON_VERSION 1u
#define BH_LATMON_MAX_CPUS 8
/* 1 µs buckets covering [0, 1000) µs, as cyclictest -h 1000; later samples count as overflows. */
#define BH_LATMON_HISTOGRAM_BUCKETS 1000
#define BH_LATMON_CONSOLE_BYTES 8192

/* bh_latmon_channel.state */
#define BH_LATMON_STARTING 0u
#define BH_LATMON_RUNNING 1u
#define BH_LATMON_STOPPED 2u

struct bh_latmon_cpu {
	uint32_t sequence; /* odd while this record is being updated */
	uint32_t cpu_logical; /* the hypervisor's logical CPU number */
	uint64_t cpu_mpidr; /* hardware id of the CPU */
	uint32_t priority; /* latmon thread priority (higher is more urgent) */
	uint32_t interval_us; /* period between wake-ups */
	uint64_t samples; /* wake-ups measured */
	uint64_t missed_periods; /* wake-ups later than a whole interval (periods lost) */
	uint64_t overflows; /* samples >= BH_LATMON_HISTOGRAM_BUCKETS µs */
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t sum_ns; /* for the average: sum_ns / samples */
	uint64_t last_ns;
	uint32_t histogram[BH_LATMON_HISTOGRAM_BUCKETS];
};

BH_STATIC_ASSERT_SIZE(struct bh_latmon_cpu, 80 + 4 * BH_LATMON_HISTOGRAM_BUCKETS);

struct bh_latmon_console {
	uint64_t written; /* total bytes ever written; the ring holds the last ones */
	char data[BH_LATMON_CONSOLE_BYTES];
};

struct bh_latmon_channel {
	uint32_t magic; /* BH_LATMON_MAGIC once latmon has initialised the channel */
	uint32_t version; /* BH_LATMON_VERSION */
	uint32_t size_bytes; /* sizeof(struct bh_latmon_channel) */
	uint32_t cpu_count; /* records in use */
	uint32_t state; /* BH_LATMON_* */
	uint32_t cell_id; /* the publishing cell */
	uint64_t counter_hz; /* the clock latmon measures with */
	uint64_t started_ns; /* on that clock */
	uint64_t updated_ns; /* last publication, on that clock */
	struct bh_latmon_console console; /* the realtime cell's console output */
	struct bh_latmon_cpu cpus[BH_LATMON_MAX_CPUS];
};

#endif
