/*
 * Bulkhead hypercalls from a test cell (bulkhead/hypercall.h). Pointers are
 * passed as IPAs: with the MMU off a cell's addresses are its IPAs.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stddef.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/stats.h>
#include <lib/format.h>
#include <lib/strerror.h>

/* HVC #0 with x0 = function, x1..x5 = args; returns x0 (hvc.S). */
int64_t bh_hypercall(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5);

/* The text of a failed hypercall's result (-BH_E*); values beyond int are unknown. */
static inline const char *bh_hypercall_strerror(int64_t result)
{
	return result < INT32_MIN || result > INT32_MAX ? "unknown error"
							: bh_strerror((int)result);
}

/* How the hostile cells report a result: "returned -14 (bad address)", "returned 0". */
static inline void bh_hypercall_result_text(char *text, size_t size, int64_t result)
{
	if (result < 0)
		format_snprintf(text, size, "returned %ld (%s)", result,
				bh_hypercall_strerror(result));
	else
		format_snprintf(text, size, "returned %ld", result);
}

static inline uint64_t guest_ipa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static inline int64_t bh_console_write(const void *text, size_t len)
{
	return bh_hypercall(BH_HC_CONSOLE_WRITE, guest_ipa(text), len, 0, 0, 0);
}

static inline int64_t bh_cpu_stats(uint32_t logical_cpu, struct bh_cpu_stats *out)
{
	return bh_hypercall(BH_HC_CPU_STATS, logical_cpu, guest_ipa(out), sizeof(*out), 0, 0);
}

/* Reports `code` and stops the cell; spins if the hypervisor ever returns. */
__attribute__((noreturn)) void bh_cell_exit(int code);

static inline int64_t bh_cell_info(uint32_t cell_id, struct bh_cell_info *out)
{
	return bh_hypercall(BH_HC_CELL_INFO, cell_id, guest_ipa(out), sizeof(*out), 0, 0);
}

/*
 * The logical CPU number (the hypervisor's, for BH_HC_CPU_STATS) of the
 * calling CPU, from the boot info's per-CPU table; -1 if `cell_id` is not
 * this cell or the CPU is not listed.
 */
int guest_find_own_logical_cpu(uint32_t cell_id);

#endif
