/*
 * Hypercall fuzzing from inside a cell: a seeded run of random calls (HVC
 * and SMC) with function numbers and arguments biased towards edges (zero,
 * all ones, sign and 32-bit boundaries, the ends of the cell's memory, other
 * cells' and the hypervisor's memory, wrapping and page-crossing buffers).
 * Every answer must be one the ABI documents; no call may fault. The host
 * patches the seed and the number of calls into `hostile_params` (hostile.c)
 * and checks the victims after the run. Calls that would stop or suspend
 * the attacker itself (BH_HC_CELL_EXIT, PSCI) are not made: they would end
 * the run, not test the hypervisor.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>
#include <lib/format.h>

#include "hostile.h"

#define RESULT_KINDS 8
#define PSCI_RANGE_MASK 0xbfffffe0u
#define PSCI_RANGE 0x84000000u

/* Buffers the fuzzer lets the hypervisor write into (two pages: page-crossing calls). */
static uint8_t scratch[8192] __attribute__((aligned(4096)));
static const struct bh_boot_info *info;
static uint64_t rng;

static uint64_t next_random(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t own_end(void)
{
	return info->regions[0].guest_phys + info->regions[0].size_bytes;
}

static uint64_t edge_value(void)
{
	uint64_t base = guest_ipa(scratch);
	uint64_t end = own_end();
	const uint64_t edges[] = {
		0,
		1,
		2,
		7,
		8,
		0xff,
		0x100,
		0xfff,
		0x1000,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000,
		0x100000001,
		~0ull,
		~0ull - 7,
		~0ull - 0x47,
		0x8000000000000000ull,
		1ull << 48,
		BH_CELL_SELF,
		BH_CONSOLE_WRITE_MAX,
		BH_CONSOLE_WRITE_MAX + 1,
		sizeof(struct bh_cell_info),
		sizeof(struct bh_cpu_stats),
		HYPERVISOR_MEMORY,
		HYPERVISOR_MEMORY + 0x1000,
		TICKER_MEMORY,
		HELLO_MEMORY,
		info->gicd_base,
		end,
		end - 1,
		end - 8,
		end - 0x48,
		end - 0x58,
		base,
		base + 4096 - 8,
		base + 4096 - 1,
		base + 8192 - 0x58,
	};

	return edges[next_random() % (sizeof(edges) / sizeof(edges[0]))];
}

/* Own memory the hypervisor may write: the scratch pages and the region's last page. */
static bool writable_by_fuzz(uint64_t addr)
{
	uint64_t base = guest_ipa(scratch);

	return (addr - base < sizeof(scratch)) || (addr >= own_end() - 4096 && addr < own_end());
}

static bool is_own_memory(uint64_t addr)
{
	return addr - info->regions[0].guest_phys < info->regions[0].size_bytes;
}

static uint64_t argument(void)
{
	uint64_t r = next_random() % 10;
	uint64_t value = r < 6 ? edge_value() : r < 8 ? next_random() % 256 : next_random();

	/* Never the attacker's own code, data or stacks: only what it can lose. */
	if (is_own_memory(value) && !writable_by_fuzz(value))
		value = guest_ipa(scratch) + value % (sizeof(scratch) - 0x100);
	return value;
}

static uint64_t function_number(void)
{
	static const uint8_t other_owners[] = { 0, 1, 2, 3, 5, 0x30, 0x31, 0x32, 0x3f };
	uint64_t r = next_random() % 10;

	if (r < 7)
		return BH_HC_BASE + next_random() % 256;
	if (r < 8)
		return BH_HC_BASE + (next_random() & 0xffff);
	if (r < 9)
		return 0x80000000u | (next_random() & 0x40000000u) |
		       (uint64_t)other_owners[next_random() % sizeof(other_owners)] << 24 |
		       (next_random() & 0xffff);
	return next_random();
}

static bool stops_the_attacker(uint64_t function)
{
	uint32_t w0 = (uint32_t)function;

	return w0 == BH_HC_CELL_EXIT || (w0 & PSCI_RANGE_MASK) == PSCI_RANGE;
}

/* Answers the ABI documents: 0, SMCCC NOT_SUPPORTED, -BH_E* of the calls, console lengths. */
static int result_kind(uint64_t function, int64_t value)
{
	static const int64_t documented[RESULT_KINDS - 1] = { 0,         -1,         -BH_ENOENT,
							      -BH_E2BIG, -BH_EFAULT, -BH_EINVAL,
							      -BH_ENOSYS };

	for (int i = 0; i < RESULT_KINDS - 1; i++)
		if (value == documented[i])
			return i;
	if ((uint32_t)function == BH_HC_CONSOLE_WRITE && value > 0 && value <= BH_CONSOLE_WRITE_MAX)
		return 0;
	return RESULT_KINDS - 1;
}

void fuzz_run(const struct bh_boot_info *boot_info)
{
	static const char *const kind_names[RESULT_KINDS] = { "ok",  "-1",  "-2",  "-7",
							      "-14", "-22", "-38", "unexpected" };
	uint64_t counts[RESULT_KINDS] = { 0 };
	uint64_t calls = hostile_params.calls;
	uint64_t faults = 0;
	char first_bad[HOSTILE_TEXT_MAX] = "none";
	char fault[HOSTILE_TEXT_MAX];

	info = boot_info;
	rng = hostile_params.seed;
	uint64_t rt_before = catalogue_rt_entries();

	for (uint64_t n = 0; n < calls; n++) {
		uint64_t function = function_number();
		uint64_t a[5];

		for (int i = 0; i < 5; i++)
			a[i] = argument();
		if (stops_the_attacker(function))
			function = BH_HC_BASE + 0xff;
		/* A console write of a valid buffer would print noise: keep those empty. */
		if ((uint32_t)function == BH_HC_CONSOLE_WRITE && is_own_memory(a[0]))
			a[1] = 0;
		bool use_smc = next_random() % 4 == 0;

		hostile_arm();
		int64_t value = use_smc ? probe_smc(function, a[0], a[1], a[2])
					: probe_hvc(function, a[0], a[1], a[2], a[3], a[4]);

		if (hostile_disarm(fault, sizeof(fault))) {
			if (faults++ == 0)
				format_snprintf(first_bad, sizeof(first_bad), "call %lu 0x%lx: %s",
						n, function, fault);
			continue;
		}
		int kind = result_kind(function, value);

		if (kind == RESULT_KINDS - 1 && counts[kind] == 0 && faults == 0)
			format_snprintf(first_bad, sizeof(first_bad),
					"call %lu 0x%lx(0x%lx, 0x%lx, 0x%lx) returned %ld", n,
					function, a[0], a[1], a[2], value);
		counts[kind]++;
	}
	uint64_t rt_after = catalogue_rt_entries();

	char line[2 * HOSTILE_TEXT_MAX + 160];
	size_t used = (size_t)format_snprintf(line, sizeof(line),
					      "seed %lu calls %lu:", hostile_params.seed, calls);

	for (int i = 0; i < RESULT_KINDS && used < sizeof(line); i++)
		used += (size_t)format_snprintf(line + used, sizeof(line) - used, " %s=%lu",
						kind_names[i], counts[i]);
	/* One line, printed at once: the host parses it. */
	console_printf("hostile: fuzz: %s faults=%lu first_bad=\"%s\" [rt_entries=%lu]\n", line,
		       faults, first_bad, rt_after - rt_before);
}
