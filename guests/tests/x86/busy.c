/*
 * busy (x86-64): the loaded neighbour of the realtime cell in
 * tests/bench/x86_rt_isolation.py. For BUSY_TSC_TICKS of its own TSC it
 * sweeps a 64 KiB buffer with loads, stores and arithmetic and makes a
 * BH_HC_CELL_INFO hypercall after every sweep (an exit on its own CPU), then
 * prints what it did and exits 0. It touches nothing of the other CPU.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>
#include <x86_64/insn.h>

#define BUFFER_WORDS (64 * 1024 / 8)

static uint64_t buffer[BUFFER_WORDS];

int guest_main(const struct bh_boot_info *info)
{
	uint64_t start = rdtsc(), sweeps = 0, hypercalls = 0, sum = 1;
	struct bh_cell_info ci;

	console_printf("busy: cell %u: loading its CPU for %lu TSC ticks\n", info->cell_id,
		       (uint64_t)BUSY_TSC_TICKS);
	while (rdtsc() - start < BUSY_TSC_TICKS) {
		for (uint32_t i = 0; i < BUFFER_WORDS; i++) {
			sum = sum * 6364136223846793005ull + buffer[i] + i;
			buffer[i] = sum;
		}
		sweeps++;
		if (bh_cell_info(BH_CELL_SELF, &ci) == 0)
			hypercalls++;
	}
	console_printf("busy: done, sweeps=%lu hypercalls=%lu sum=0x%lx\n", sweeps, hypercalls,
		       sum);
	return hypercalls == sweeps ? 0 : 1;
}
