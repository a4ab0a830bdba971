/*
 * What hostile.c shares with the attack catalogue (catalogue.c) and the
 * hypercall fuzzer (fuzz.c): the fault-tolerant probes of probe.S and the
 * arm/disarm pair around each of them.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stddef.h>
#include <stdint.h>
#include <guest/runtime.h>

/* Other cells' memory in the test systems, and the hypervisor's load address. */
#define HELLO_MEMORY 0x50000000ul
#define TICKER_MEMORY 0x60000000ul
#define HYPERVISOR_MEMORY 0x40200000ul
#define HOSTILE_TEXT_MAX 160

/* probe.S: each may fault; the fault is recorded and the probe resumes after it. */
uint64_t probe_read64(uint64_t addr);
uint32_t probe_read32(uint64_t addr);
uint32_t probe_read16(uint64_t addr);
uint32_t probe_read8(uint64_t addr);
void probe_write64(uint64_t addr, uint64_t value);
void probe_write32(uint64_t addr, uint32_t value);
void probe_write16(uint64_t addr, uint32_t value);
void probe_write8(uint64_t addr, uint32_t value);
uint64_t probe_ldp(uint64_t addr);
uint64_t probe_ldxr(uint64_t addr);
uint64_t probe_stxr(uint64_t addr, uint64_t value);
void probe_dc_ivac(uint64_t addr);
void probe_dc_civac(uint64_t addr);
void probe_dc_zva(uint64_t addr);
void probe_dc_cisw_loop(uint64_t set_way, uint64_t count);
void probe_tlbi_storm(uint64_t count);
void probe_write_cntvoff_el2(uint64_t value);
void probe_write_cnthctl_el2(uint64_t value);
uint64_t probe_read_hcr_el2(void);
void probe_write_vbar_el2(uint64_t value);
void probe_write_cnthp_ctl_el2(uint64_t value);
uint64_t probe_pmu_setup(uint64_t pmccfiltr);
uint64_t probe_read_pmccntr(void);
uint64_t probe_read_pmcr(void);
void probe_debug_arm(uint64_t breakpoint, uint64_t watchpoint);
void probe_debug_disarm(void);
void probe_breakpoint_target(void);
int64_t probe_hvc(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		  uint64_t a5);
int64_t probe_smc(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3);
void probe_write_sgi1r(uint64_t value);
void probe_write_asgi1r(uint64_t value);
void probe_write_sgi0r(uint64_t value);
void probe_write_dir(uint64_t intid);

/* start.S: where a secondary CPU of this runtime starts. */
extern char guest_secondary_entry[];

/* Arms the fault recorder (boot CPU only) before one probe. */
void hostile_arm(void);
/* Disarms; if the probe faulted, describes how into `text` and returns true. */
bool hostile_disarm(char *text, size_t size);
/* The number of the last exception class the recorder saw (0 if none). */
uint64_t hostile_last_esr(void);

/*
 * Starts the cell's second CPU at `entry` (outside the cell): PSCI's answer
 * and whether that CPU then faulted inside this cell go into `text`.
 */
void hostile_start_cpu1_at(uint64_t entry, char *text, size_t size);

/* Waits up to a second for the CPU `mpidr` to be off; PSCI's last AFFINITY_INFO answer. */
int64_t hostile_wait_affinity_off(uint64_t mpidr);

/*
 * What the host asks of this run, patched into hostile.bin by
 * tools/pylib/bulkhead_tools/containment.py (found by its magic). As built,
 * the image makes only hostile.c's attempts (tests/system/test_arm64_hostile.py).
 */
struct hostile_params {
	char magic[16];
	uint64_t seed; /* the fuzzer's */
	uint64_t calls; /* fuzzer calls; 0: no fuzzing */
	uint64_t catalogue; /* nonzero: run the attack catalogue (or HOSTILE_CATALOGUE_DIRECT) */
};

/*
 * The catalogue of a direct (realtime) attacker (containment-direct.dts),
 * without hostile.c's attempts, which assume a virtual-mode cell.
 */
#define HOSTILE_CATALOGUE_DIRECT 2u

extern volatile struct hostile_params hostile_params;

/*
 * A console buffer rewritten during the calls that print it: its middle
 * flips between letters and escape bytes (hc_console_buffer_rewritten_during_call
 * by the attacker's second CPU, direct_console_buffer_in_channel_rewritten_by_peer
 * by the peer cell, peer.c, in their channel).
 */
#define TOCTOU_PREFIX "toctou: "
#define TOCTOU_TEXT_BYTES 48u

static inline void toctou_flip(char *text, uint64_t flip)
{
	char fill = (flip & 1) ? '\x1b' : 'x';

	for (size_t i = sizeof(TOCTOU_PREFIX) - 1; i < TOCTOU_TEXT_BYTES - 1; i++)
		*(volatile char *)&text[i] = fill;
}

/* The start of the channel the direct attacker shares with its peer. */
struct toctou_channel {
	volatile uint32_t stop; /* set by the attacker when done */
	volatile uint32_t flipping; /* set by the peer once it flips */
	volatile uint64_t flips;
	char text[TOCTOU_TEXT_BYTES];
};

/* catalogue.c: every named attack case, one "hostile: case" line each. */
void catalogue_run(const struct bh_boot_info *info);

/* fuzz.c: the seeded hypercall fuzzer, one "hostile: fuzz" summary line. */
void fuzz_run(const struct bh_boot_info *info);

/* The realtime cell's CPU entries (all reasons) now, or ~0 if there is none. */
uint64_t catalogue_rt_entries(void);

#endif
