/*
 * bhctl's parts that need no Linux: consistent snapshots of the hypervisor
 * status page and the latmon channel (snapshot.c) and their text forms
 * (format_status.c, format_latmon.c). They compile natively, so host unit
 * tests feed them synthetic pages; main.c adds the device tree and /dev/mem.
 */
#ifndef BHCTL_H
#define BHCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bulkhead/latmon.h>
#include <bulkhead/status.h>

/*
 * Copies `size` bytes (a multiple of 8, both addresses 8-byte aligned) from
 * mapped memory. Linux maps /dev/mem outside its RAM as Device memory, where
 * unaligned or paired accesses fault, so the real copy is one aligned 64-bit
 * load at a time. Tests pass their own to play a concurrent writer.
 */
typedef void (*bhctl_copy_fn)(void *dst, const volatile void *src, size_t size, void *ctx);
void bhctl_copy_words(void *dst, const volatile void *src, size_t size, void *ctx);

/* Snapshot results besides 0. */
#define BHCTL_ERROR (-1) /* `why` says what is wrong */
#define BHCTL_NOT_INITIALISED 1 /* magic is still 0: the writer has not started */

/* A torn record is read again at most this often before bhctl gives up. */
#define BHCTL_MAX_READ_TRIES 1000u
/* The most console bytes latmon stores before it advances `written` (one line). */
#define BHCTL_CONSOLE_SLACK_BYTES 256u

/* Copies and checks the status page mapped at `page` (`map_bytes` mapped). */
int bhctl_status_snapshot(const volatile void *page, size_t map_bytes, struct bh_hv_status *out,
			  char *why, size_t why_size, bhctl_copy_fn copy, void *ctx);

struct bhctl_latmon {
	struct bh_latmon_channel ch; /* header, console ring and CPU records, each consistent */
	uint64_t console_first; /* oldest ring byte (absolute index) that was not overwritten */
	uint64_t console_end; /* ch.console.written when the ring was read */
	unsigned int retries; /* CPU records read again because a write overlapped */
};

/*
 * Copies and checks the latmon channel: every CPU record under its sequence
 * counter (latmon.h), the console ring keeping only bytes not overwritten
 * while it was copied.
 */
int bhctl_latmon_snapshot(const volatile void *channel, size_t map_bytes, struct bhctl_latmon *out,
			  char *why, size_t why_size, bhctl_copy_fn copy, void *ctx);

/* `bhctl cells`: one line per cell. */
void bhctl_print_cells(FILE *out, const struct bh_hv_status *st);

/*
 * `bhctl stats [CELL]`: one line per CPU (the cell's only when `cell` names
 * one by name or id). Returns false, with `why`, when no cell matches.
 */
bool bhctl_print_stats(FILE *out, const struct bh_hv_status *st, const char *cell, char *why,
		       size_t why_size);

/* `bhctl latency [--histogram]`: cyclictest's summary lines (after its -h histogram). */
void bhctl_print_latency(FILE *out, const struct bhctl_latmon *lm, bool histogram);

/* `bhctl console`: the realtime cell's console bytes still in the ring. */
void bhctl_print_console(FILE *out, const struct bhctl_latmon *lm);

/* One sample for `bhctl top`: both pages and when they were read. */
struct bhctl_frame {
	struct bh_hv_status st;
	struct bhctl_latmon lm;
	bool latmon; /* lm holds a snapshot (latmon is running) */
	uint64_t time_ns; /* CLOCK_MONOTONIC at the read */
};

/* One latmon CPU's wake-ups between two snapshots of its record. */
struct bhctl_interval_latency {
	uint64_t samples;
	uint64_t missed;
	uint64_t overflows; /* samples past the histogram: their values are unknown */
	uint32_t max_us; /* highest bucket that gained a sample (0 if none) */
};

void bhctl_interval_latency(const struct bh_latmon_cpu *before, const struct bh_latmon_cpu *after,
			    struct bhctl_interval_latency *out);

/*
 * `bhctl top`: per CPU, hypervisor entries per second by reason between
 * `prev` and `now`, and the realtime cell's wake-ups and latency over that
 * interval; with `json`, the same as one JSON object on one line.
 */
void bhctl_print_top(FILE *out, const struct bhctl_frame *prev, const struct bhctl_frame *now,
		     bool json);

/* `bhctl --json`: cells, per-CPU entry counters and latmon's records (`lm` may be NULL). */
void bhctl_print_json(FILE *out, const struct bh_hv_status *st, const struct bhctl_latmon *lm);

/* The name of the cell that owns logical CPU `cpu`, or "-". */
const char *bhctl_cpu_owner(const struct bh_hv_status *st, uint32_t cpu);

/* Human text for cell states and sizes, shared by the printers. */
/*
 * acpi_regions.c: the region of `kind` (BH_ACPI_REGION_*; a channel also by `label`) in an OEMB
 * table's bytes (bulkhead/acpi_regions.h). 0 with *base, *size; BHCTL_ACPI_ABSENT when the table
 * has no such region (`why` lists the channel labels it has); -1 when the table is malformed.
 */
#define BHCTL_ACPI_ABSENT 1
int bhctl_acpi_find(const uint8_t *table, size_t len, uint32_t kind, const char *label,
		    uint64_t *base, uint64_t *size, char *why, size_t why_size);

const char *bhctl_state_name(uint32_t state);
const char *bhctl_latmon_state_name(uint32_t state);

#endif
