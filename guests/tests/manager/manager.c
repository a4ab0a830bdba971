/*
 * manager: a management cell's use of BH_HC_CELL_RESTART. With the manager
 * flag it tries the refusals first (itself, no such cell, a cell without
 * restart-on-reset), waits until the target is running, asks for its
 * restart once and exits 0 when every answer was the documented one. Without
 * the flag it checks that the call is refused. The target is the cell named
 * MANAGER_TARGET; the system test (tests/system/test_cell_manager.py) checks
 * from the hypervisor's console that the target really ran twice.
 */
#include <bulkhead/config.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>
#include <guest/timer.h>
#include <lib/string.h>

#define MANAGER_TARGET "vticker"
#define MANAGER_WAIT_US 2000000

static int64_t restart(uint32_t cell_id)
{
	return bh_hypercall(BH_HC_CELL_RESTART, cell_id, 0, 0, 0, 0);
}

/* Prints the answer and whether it is the expected one. */
static bool expect(const char *what, int64_t result, int64_t wanted)
{
	char text[64];

	bh_hypercall_result_text(text, sizeof(text), result);
	console_printf("manager: restart of %s: %s%s\n", what, text,
		       result == wanted ? "" : " (UNEXPECTED)");
	return result == wanted;
}

/* The id of the cell named `name` and whether it has `flag`; -1 if there is none. */
static int find_cell(uint32_t cell_count, const char *name, uint32_t flag, bool *has_flag)
{
	for (uint32_t id = 0; id < cell_count; id++) {
		struct bh_cell_info info;

		if (bh_cell_info(id, &info) == 0 &&
		    strncmp(info.name, name, sizeof(info.name)) == 0) {
			*has_flag = (info.flags & flag) != 0;
			return (int)id;
		}
	}
	return -1;
}

/*
 * Until cell `id` runs and its boot CPU has made a hypercall (the target's
 * first console line is one: that line shows the first run happened, so the
 * restart must come after it).
 */
static bool wait_until_it_has_spoken(uint32_t id)
{
	uint64_t give_up = timer_now_ticks() + timer_frequency_hz() * MANAGER_WAIT_US / 1000000;
	struct bh_cell_info info;
	struct bh_cpu_stats stats;

	while (timer_now_ticks() < give_up) {
		if (bh_cell_info(id, &info) != 0 || info.state != 1 || info.cpu_mask == 0)
			continue;
		uint32_t boot_cpu = (uint32_t)__builtin_ctzll(info.cpu_mask);

		if (bh_cpu_stats(boot_cpu, &stats) == 0 && stats.entries[BH_ENTRY_HYPERCALL] > 0)
			return true;
	}
	return false;
}

int guest_main(const struct bh_boot_info *info)
{
	struct bh_cell_info self;
	bool restartable = false, ok = true;

	if (bh_cell_info(BH_CELL_SELF, &self) != 0)
		return 1;
	int target =
		find_cell(self.cell_count, MANAGER_TARGET, BH_CELL_RESTART_ON_RESET, &restartable);

	if (target < 0 || !restartable) {
		console_printf("manager: no restartable cell \"%s\"\n", MANAGER_TARGET);
		return 1;
	}
	if (!(self.flags & BH_CELL_MANAGER))
		return expect("\"" MANAGER_TARGET "\" by a cell without the manager flag",
			      restart((uint32_t)target), -BH_EPERM)
			       ? 0
			       : 1;
	ok &= expect("itself", restart(info->cell_id), -BH_EINVAL);
	ok &= expect("cell 99", restart(99), -BH_ENOENT);
	for (uint32_t id = 0; id < self.cell_count; id++) {
		struct bh_cell_info other;

		if (id != info->cell_id && (int)id != target && bh_cell_info(id, &other) == 0 &&
		    !(other.flags & BH_CELL_RESTART_ON_RESET)) {
			ok &= expect("a cell without restart-on-reset", restart(id), -BH_EPERM);
			break;
		}
	}
	if (!wait_until_it_has_spoken((uint32_t)target)) {
		console_printf("manager: \"%s\" never ran\n", MANAGER_TARGET);
		return 1;
	}
	ok &= expect("\"" MANAGER_TARGET "\"", restart((uint32_t)target), 0);
	console_printf("manager: done, exit %d\n", ok ? 0 : 1);
	return ok ? 0 : 1;
}
