/*
 * Cell restart (hv/cell_restart.h). Protocol, run by the CPU of the cell that
 * asked for the reset (no other cell's CPU takes part or waits):
 *  1. RUNNING -> RESTARTING, a compare-and-swap: a stop or another restart
 *     already under way wins, and this CPU only leaves the cell.
 *  2. The cell's other CPUs are sent out (arch_cell_request_stop: a kick,
 *     repeated until each is OFF in hv/cpu_power.h, because a CPU may still
 *     be entering the old run when the first kick goes out); starts asked
 *     for by the old run and not acted on are taken back.
 *  3. Nothing of the old run survives: every RAM region of the cell is
 *     zeroed (channels are shared with other cells and are not the cell's to
 *     lose; the status page is the hypervisor's), its interrupts are reset
 *     (arch_cell_reset_interrupts). Doorbells latched while it restarts are
 *     delivered when it runs (they are for the cell, not for a run).
 *  4. Its image, initrd and DTB are loaded again from the system image, with
 *     an rng-seed of this run's own (hv/cell_seed.h); the restart is counted
 *     in the status page.
 *  5. RESTARTING -> RUNNING; the boot CPU enters at the entry point: this CPU
 *     if it is the boot CPU, else the boot CPU through cpu_power while this
 *     one goes off.
 * Limits: a device the cell drives keeps running through the restart until
 * its next driver resets it (DMA: docs/design.md); only virtual-mode cells
 * restart (the validator refuses the flag on a realtime cell).
 */
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <arch/arch_timer.h>
#include <bulkhead/errno.h>
#include <hv/cell_load.h>
#include <hv/cell_restart.h>
#include <hv/console.h>
#include <hv/cpu_map.h>
#include <hv/cpu_power.h>
#include <hv/doorbell.h>
#include <hv/guest_mem.h>
#include <hv/panic.h>
#include <hv/status.h>
#include <hv/system.h>
#include <lib/strerror.h>
#include <lib/string.h>

/* How often a CPU that has not left yet is kicked again. */
#define KICK_INTERVAL_NS 1000000ull

static const void *system_image;

void cell_restart_init(const void *sysimage)
{
	system_image = sysimage;
}

static bool others_off(const struct cell *cell, unsigned int self)
{
	for (unsigned int cpu = 0; cpu < cpu_map_count(); cpu++) {
		if (!(cell->cpu_mask & (1ull << cpu)) || cpu == self)
			continue;
		cpu_power_cancel_pending(cpu);
		if (cpu_power_state(cpu) != CPU_POWER_OFF)
			return false;
	}
	return true;
}

/* Step 2. */
static void send_other_cpus_out(const struct cell *cell, unsigned int self)
{
	uint64_t next_kick = 0;

	while (!others_off(cell, self)) {
		if (arch_timer_now_ns() >= next_kick) {
			arch_cell_request_stop(cell);
			next_kick = arch_timer_now_ns() + KICK_INTERVAL_NS;
		}
		arch_cpu_relax();
	}
}

/* Step 3: the cell's RAM regions, zeroed and cleaned to memory. */
static void scrub_memory(const struct cell *cell)
{
	for (uint32_t i = 0; i < cell->desc->region_count; i++) {
		const struct bh_mem_region *r = cell_region(cell, i);
		void *host;

		/* Channels (BH_MEM_COMM) belong to their other endpoints too: never scrubbed. */
		if (r->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS))
			continue;
		host = guest_mem_range(cell, r->guest_phys, r->size_bytes, 0);
		if (!host)
			hv_panic("cell \"%s\": region %u cannot be scrubbed", cell_name(cell), i);
		memset(host, 0, r->size_bytes);
		arch_cache_clean_range(host, r->size_bytes);
	}
}

noreturn_fn void cell_restart(struct cell *cell, unsigned int cpu)
{
	int expected = CELL_RUNNING;

	if (!__atomic_compare_exchange_n(&cell->state, &expected, CELL_RESTARTING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		cpu_power_off_self(cpu);
	console_print("hv: cell \"%s\" asked for a reset: restarting it (restart %u)\n",
		      cell_name(cell), cell->restarts + 1);
	status_set_cell_state(cell, BH_CELL_STATE_LOADED, 0);
	send_other_cpus_out(cell, cpu);
	scrub_memory(cell);
	arch_cell_reset_interrupts(cell);
	cell->restarts++;
	int err = cell_load(cell, system_image);

	if (err) {
		console_print("hv: cell \"%s\": reloading its images failed (%s); stopping it\n",
			      cell_name(cell), bh_strerror(err));
		__atomic_store_n(&cell->state, CELL_RUNNING, __ATOMIC_RELEASE);
		system_stop_cell(cell, 2);
		cpu_power_off_self(cpu);
	}
	status_set_cell_restarts(cell, cell->restarts);
	console_print("hv: cell \"%s\": memory scrubbed, images reloaded; starting it again\n",
		      cell_name(cell));
	__atomic_store_n(&cell->state, CELL_RUNNING, __ATOMIC_SEQ_CST);
	status_set_cell_state(cell, BH_CELL_STATE_RUNNING, 0);
	doorbell_deliver_latched(cell);
	if (cpu == cell->boot_cpu)
		arch_cpu_enter_cell(cell, cell->desc->entry_guest_phys, cell_boot_argument(cell));
	if (cpu_power_request_on(cell->boot_cpu, cell->desc->entry_guest_phys,
				 cell_boot_argument(cell)) != 0)
		hv_panic("cell \"%s\": its boot CPU %u is not off after the restart",
			 cell_name(cell), cell->boot_cpu);
	cpu_power_off_self(cpu);
}

int64_t cell_restart_request(const struct cell *manager, uint64_t target_id)
{
	if (!(manager->desc->flags & BH_CELL_MANAGER))
		return -BH_EPERM;
	if (target_id >= cell_count())
		return -BH_ENOENT;
	struct cell *target = cell_by_id((unsigned int)target_id);

	if (target == manager)
		return -BH_EINVAL;
	if (!(target->desc->flags & BH_CELL_RESTART_ON_RESET) ||
	    (target->desc->flags & BH_CELL_REALTIME))
		return -BH_EPERM;
	if (__atomic_load_n(&target->state, __ATOMIC_ACQUIRE) != CELL_RUNNING)
		return -BH_EBUSY;
	unsigned int none = 0;

	/* A request not yet taken stands for this one too. */
	__atomic_compare_exchange_n(&target->restart_requested_by, &none, manager->id + 1, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	arch_cell_request_stop(target); /* kicks its CPUs into the hypervisor */
	return 0;
}

void cell_restart_if_requested(struct cell *cell, unsigned int cpu)
{
	if (!__atomic_load_n(&cell->restart_requested_by, __ATOMIC_ACQUIRE))
		return;
	unsigned int by = __atomic_exchange_n(&cell->restart_requested_by, 0, __ATOMIC_ACQ_REL);

	if (!by)
		return; /* another of its CPUs took it */
	console_print("hv: cell \"%s\": restart asked for by cell \"%s\"\n", cell_name(cell),
		      cell_name(cell_by_id(by - 1)));
	cell_restart(cell, cpu);
}
