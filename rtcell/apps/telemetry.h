/*
 * The telemetry channel latmon publishes into (layout: bulkhead/latmon.h):
 * the boot info's channel named "telemetry" in a cell, else a private copy.
 * Each CPU record has one writer, which brackets its updates with
 * telemetry_cpu_begin/end (odd sequence while in progress).
 */
#ifndef RTCELL_TELEMETRY_H
#define RTCELL_TELEMETRY_H

#include <stdbool.h>
#include <bulkhead/latmon.h>

/* Finds the cell's channel (or uses a private copy) and writes its header
 * with state STARTING. */
void telemetry_init(unsigned ncpus);
struct bh_latmon_channel *telemetry_channel(void);
/* True when the channel is the cell's shared one (others can read it). */
bool telemetry_shared(void);
void telemetry_set_state(uint32_t state);
struct bh_latmon_cpu *telemetry_cpu_begin(unsigned cpu);
void telemetry_cpu_end(struct bh_latmon_cpu *rec, uint64_t now_ns);

#endif
