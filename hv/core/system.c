/*
 * The system (hv/system.h): built from the validated config in three passes,
 * every one finished before any cell runs, so a failure leaves nothing
 * half-started:
 *  1. resolve each cell's CPUs to logical CPUs (all must exist on this machine);
 *  2. create its translation tables and map its regions, devices and the
 *     interrupt controller parts it uses directly; assign its interrupts;
 *  3. load its image, DTB and initrd and write its native boot info.
 * Then every CPU calls system_run_cpu(): a cell's boot CPU enters it, the
 * other CPUs wait (powered off) for the cell to start them. Stopping cells
 * and powering the machine off when the last one stops live here too.
 * Calls the registry (cell.c), the CPU map and the services below them;
 * nothing in those calls back.
 */
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <arch/arch_power.h>
#include <arch/arch_timer.h>
#include <hv/cell.h>
#include <hv/cell_load.h>
#include <hv/cell_restart.h>
#include <hv/cell_seed.h>
#include <hv/console.h>
#include <hv/cpu_map.h>
#include <hv/cpu_power.h>
#include <hv/doorbell.h>
#include <hv/guest_mem.h>
#include <hv/panic.h>
#include <hv/stats.h>
#include <hv/status.h>
#include <hv/system.h>
#include <lib/strerror.h>

static int cells_stopped;

/* Pass 1: the cell's CPUs as logical CPU numbers. */
static void resolve_cpus(struct cell *cell)
{
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);

		if (cpu < 0)
			hv_panic("refusing to start: cell \"%s\": CPU hwid 0x%llx is not on this "
				 "machine",
				 cell_name(cell), (unsigned long long)cell->desc->cpu_hwid[i]);
		if (cell_of_cpu((unsigned int)cpu))
			hv_panic("refusing to start: cell \"%s\": CPU %d already belongs to cell "
				 "\"%s\"",
				 cell_name(cell), cpu, cell_name(cell_of_cpu((unsigned int)cpu)));
		if (i == 0)
			cell->boot_cpu = (unsigned int)cpu;
		cell->cpu_mask |= 1ull << cpu;
		stats_set_owner((unsigned int)cpu, cell->id);
	}
}

static void check(int err, const struct cell *cell, const char *what, uint64_t a, uint64_t b)
{
	if (err)
		hv_panic("refusing to start: cell \"%s\": %s [0x%llx, +0x%llx): %s",
			 cell_name(cell), what, (unsigned long long)a, (unsigned long long)b,
			 bh_strerror(err));
}

/* Pass 2: translation tables and interrupts. */
static void build_view(struct cell *cell)
{
	check(arch_cell_create(cell), cell, "translation tables", 0, 0);
	for (uint32_t i = 0; i < cell->desc->region_count; i++) {
		const struct bh_mem_region *r = cell_region(cell, i);

		if (r->flags & BH_MEM_HV_STATUS) {
			/*
			 * The status page instead of host_phys, read-only normal memory; the
			 * validator made size_bytes >= the page, so map what the page is.
			 */
			check(arch_cell_map(cell, r->guest_phys, status_host_phys(),
					    status_size_bytes(), BH_MEM_READ),
			      cell, "mapping the hypervisor status", r->guest_phys,
			      status_size_bytes());
			continue;
		}
		check(arch_cell_map(cell, r->guest_phys, r->host_phys, r->size_bytes, r->flags),
		      cell, "mapping region", r->guest_phys, r->size_bytes);
	}
	for (uint32_t i = 0; i < cell->desc->device_count; i++) {
		const struct bh_device *d = cell_device(cell, i);

		if (d->kind != BH_DEVICE_MMIO)
			continue;
		check(arch_cell_map(cell, d->base, d->base, d->size_bytes,
				    BH_MEM_READ | BH_MEM_WRITE | BH_MEM_DEVICE),
		      cell, "mapping device", d->base, d->size_bytes);
	}
	check(arch_cell_map_irqchip(cell), cell, "mapping the interrupt controller", 0, 0);
	for (uint32_t i = 0; i < cell->desc->irq_count; i++) {
		const struct bh_irq *irq = cell_irq(cell, i);

		check(arch_cell_assign_irq(cell, irq->number, irq->flags), cell,
		      "assigning interrupt", irq->number, 1);
	}
}

/* A cell given the console UART as a device gets it to itself (no shared UART). */
static void hand_over_console_if_owned(const struct bh_config_header *config)
{
	uint64_t uart = config->console.base;

	if (config->console.kind == BH_CONSOLE_NONE)
		return;
	for (unsigned int c = 0; c < cell_count(); c++) {
		const struct cell *cell = cell_by_id(c);

		for (uint32_t i = 0; i < cell->desc->device_count; i++) {
			const struct bh_device *d = cell_device(cell, i);

			if (uart >= d->base && uart - d->base < d->size_bytes) {
				console_hand_over_uart(cell_name(cell));
				return;
			}
		}
	}
}

void system_build(const struct bh_config_header *config, const void *sysimage,
		  const struct platform *plat)
{
	cpu_map_init(plat);
	status_init(plat->cpu_count);
	if (config->cells.count > HV_MAX_CELLS)
		hv_panic("refusing to start: %u cells configured, the hypervisor supports %u",
			 config->cells.count, HV_MAX_CELLS);
	for (uint32_t i = 0; i < config->cells.count; i++) {
		struct cell *cell = cell_add(config, i);

		resolve_cpus(cell);
		status_add_cell(cell);
	}
	for (uint32_t i = 0; i < cell_count(); i++)
		build_view(cell_by_id(i));
	for (uint32_t i = 0; i < cell_count(); i++) {
		int err = cell_load(cell_by_id(i), sysimage);

		if (err)
			hv_panic("refusing to start: cell \"%s\": loading its images failed: %s",
				 cell_name(cell_by_id(i)), bh_strerror(err));
	}
	cell_seed_forget();
	cell_restart_init(sysimage);
	hand_over_console_if_owned(config);
	for (uint32_t i = 0; i < cell_count(); i++) {
		const struct cell *cell = cell_by_id(i);

		console_print(
			"hv: cell %u \"%s\": %u CPU(s) from cpu %u, %u region(s), %u irq(s)%s\n", i,
			cell_name(cell), cell->desc->cpu_count, cell->boot_cpu,
			cell->desc->region_count, cell->desc->irq_count,
			cell->desc->flags & BH_CELL_REALTIME ? ", realtime (direct)" : "");
	}
}

static int machine_exit_code(void)
{
	for (unsigned int i = 0; i < cell_count(); i++)
		if (cell_by_id(i)->exit_code)
			return 1;
	return 0;
}

/*
 * How long realtime cells get to answer a shutdown's mailbox STOP. Only a
 * hung cell ever uses it all; it is generous because under an emulator it
 * passes in the host's time: a starved host (four emulated CPUs on two
 * cores beside other emulators) once let 5 s go by before a healthy cell's
 * mailbox thread ran, and once 20 s went by without an answer while three
 * other emulators ran beside it.
 */
#define SHUTDOWN_GRACE_NS 60000000000ull

/*
 * Says how far a realtime cell got with a STOP it never answered: a doorbell
 * its handler never saw (seen behind sequence) is a lost interrupt; one it saw
 * but never acknowledged is a cell stuck or starved on its way to the answer.
 */
static void report_unanswered_stop(const struct cell *late)
{
	const struct bh_mailbox *mailbox;

	if (!late->boot_info) {
		console_print("hv: cell \"%s\" did not stop within %llu ms; powering off "
			      "anyway\n",
			      cell_name(late), (unsigned long long)(SHUTDOWN_GRACE_NS / 1000000));
		return;
	}
	mailbox = &late->boot_info->mailbox;
	arch_cache_clean_inval_range(mailbox, sizeof(*mailbox));
	console_print("hv: cell \"%s\" did not answer its mailbox within %llu ms "
		      "(stop sequence %u, seen by its handler %u, acknowledged %u); "
		      "powering off anyway\n",
		      cell_name(late), (unsigned long long)(SHUTDOWN_GRACE_NS / 1000000),
		      __atomic_load_n(&mailbox->sequence, __ATOMIC_ACQUIRE),
		      __atomic_load_n(&mailbox->seen, __ATOMIC_ACQUIRE),
		      __atomic_load_n(&mailbox->acked, __ATOMIC_ACQUIRE));
}

static void power_off_now(void)
{
	stats_print_all(cpu_map_count());
	console_print("hv: every cell has stopped; powering off\n");
	if (machine_exit_code() == 0)
		hv_pass_stop();
	hv_fail_stop();
}

/*
 * Marks the cell stopped with `exit_code` (once: false if it was not
 * running), sends its CPUs out, and powers the machine off when it was the
 * last running cell. Never starts a shutdown: stopping a cell during one
 * must not start another.
 */
static bool mark_cell_stopped(struct cell *cell, int exit_code)
{
	int expected = CELL_RUNNING;

	if (!__atomic_compare_exchange_n(&cell->state, &expected, CELL_STOPPED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	cell->exit_code = exit_code;
	status_set_cell_state(cell, BH_CELL_STATE_STOPPED, exit_code);
	console_cell_stopped(cell_name(cell));
	console_print("hv: cell \"%s\" stopped (exit code %d)\n", cell_name(cell), exit_code);
	arch_cell_request_stop(cell);
	/* Its CPUs still waiting for a CPU_ON re-check the state and park. */
	for (unsigned int cpu = 0; cpu < cpu_map_count(); cpu++)
		if (cell->cpu_mask & (1ull << cpu))
			arch_cpu_wake(cpu);
	if (__atomic_add_fetch(&cells_stopped, 1, __ATOMIC_ACQ_REL) == (int)cell_count())
		power_off_now();
	return true;
}

/* A virtual cell that was restarting when the shutdown began is stopped once it runs again. */
static void stop_restarted_virtual_cells(void)
{
	for (unsigned int i = 0; i < cell_count(); i++) {
		struct cell *other = cell_by_id(i);

		if (!(other->desc->flags & BH_CELL_REALTIME) &&
		    __atomic_load_n(&other->state, __ATOMIC_ACQUIRE) == CELL_RUNNING)
			mark_cell_stopped(other, 0);
	}
}

/*
 * A BH_CELL_STOPS_SYSTEM cell stopped: virtual-mode cells are stopped at
 * once (their CPUs leave at the next kick), realtime cells are asked through
 * their mailbox. This CPU then waits; the CPU that stops the last cell powers
 * the machine off. A realtime cell that does not answer within the grace
 * period cannot be forced (docs/design.md, "Known limits"): the machine
 * powers off anyway, as a failure.
 */
static noreturn_fn void shut_down_system(const struct cell *trigger)
{
	console_print("hv: cell \"%s\" stops the system: stopping the other cells\n",
		      cell_name(trigger));
	for (unsigned int i = 0; i < cell_count(); i++) {
		struct cell *other = cell_by_id(i);

		if (__atomic_load_n(&other->state, __ATOMIC_ACQUIRE) != CELL_RUNNING)
			continue;
		if (other->desc->flags & BH_CELL_REALTIME)
			arch_cell_request_stop(other);
		else
			mark_cell_stopped(other, 0);
	}
	uint64_t deadline = arch_timer_now_ns() + SHUTDOWN_GRACE_NS;

	while (__atomic_load_n(&cells_stopped, __ATOMIC_ACQUIRE) < (int)cell_count()) {
		stop_restarted_virtual_cells();
		if (arch_timer_now_ns() > deadline) {
			for (unsigned int i = 0; i < cell_count(); i++) {
				struct cell *late = cell_by_id(i);

				if (__atomic_load_n(&late->state, __ATOMIC_ACQUIRE) ==
				    CELL_RUNNING) {
					report_unanswered_stop(late);
					late->exit_code = 1;
				}
			}
			power_off_now();
		}
		arch_cpu_relax();
	}
	arch_cpu_park(); /* the last cell's CPU is powering the machine off */
}

void system_stop_cell(struct cell *cell, int exit_code)
{
	if (mark_cell_stopped(cell, exit_code) && (cell->desc->flags & BH_CELL_STOPS_SYSTEM))
		shut_down_system(cell);
}

noreturn_fn void system_run_cpu(unsigned int cpu)
{
	struct cell *cell = cell_of_cpu(cpu);

	if (!cell)
		arch_cpu_park(); /* a CPU no cell owns stays with the hypervisor, idle */
	if (cpu == cell->boot_cpu) {
		__atomic_store_n(&cell->state, CELL_RUNNING, __ATOMIC_SEQ_CST);
		doorbell_deliver_latched(cell); /* rings that came before it ran */
		status_set_cell_state(cell, BH_CELL_STATE_RUNNING, 0);
		cpu_power_mark_on(cpu);
		arch_cpu_enter_cell(cell, cell->desc->entry_guest_phys, cell_boot_argument(cell));
	}
	cpu_power_off_self(cpu);
}
