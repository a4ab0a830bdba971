/*
 * busy (x86-64): the loaded neighbour of the realtime cell in `bulkhead
 * measure --platform bochs-x86` and tests/system/test_x86_rtcell.py. Until
 * every other cell has stopped it sweeps a 64 KiB buffer with loads, stores
 * and arithmetic and, after every sweep, asks the hypervisor for the state of
 * the other cells (BH_HC_CELL_INFO: an exit on its own CPU per cell). So it
 * covers the realtime cell's whole run whatever its length, then prints what
 * it did and exits 0. BUSY_TSC_TICKS of its own TSC is only a safety limit
 * (exit 1). It touches nothing of the other CPUs.
 */
#include <bulkhead/status.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>
#include <x86_64/insn.h>

#define BUFFER_WORDS (64 * 1024 / 8)

static uint64_t buffer[BUFFER_WORDS];

/* Whether every cell but `self` has stopped; counts the hypercalls it made. */
static bool others_stopped(uint32_t self, uint32_t cells, uint64_t *hypercalls)
{
	struct bh_cell_info ci;
	bool all = true;

	for (uint32_t id = 0; id < cells; id++) {
		if (id == self)
			continue;
		(*hypercalls)++;
		if (bh_cell_info(id, &ci) != 0 || ci.state != BH_CELL_STATE_STOPPED)
			all = false;
	}
	return all;
}

int guest_main(const struct bh_boot_info *info)
{
	uint64_t start = rdtsc(), sweeps = 0, hypercalls = 0, sum = 1;
	struct bh_cell_info self;

	if (bh_cell_info(BH_CELL_SELF, &self) != 0) {
		console_printf("busy: CELL_INFO of itself failed\n");
		return 2;
	}
	console_printf("busy: cell %u: loading its CPU until the other %u cell(s) stopped\n",
		       info->cell_id, self.cell_count - 1);
	bool done = false;

	while (!done && rdtsc() - start < BUSY_TSC_TICKS) {
		for (uint32_t i = 0; i < BUFFER_WORDS; i++) {
			sum = sum * 6364136223846793005ull + buffer[i] + i;
			buffer[i] = sum;
		}
		sweeps++;
		done = others_stopped(info->cell_id, self.cell_count, &hypercalls);
	}
	console_printf("busy: done, sweeps=%lu hypercalls=%lu tsc=%lu sum=0x%lx%s\n", sweeps,
		       hypercalls, rdtsc() - start, sum, done ? "" : " (safety limit reached)");
	return done ? 0 : 1;
}
