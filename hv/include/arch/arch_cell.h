/*
 * Hooks that give a cell its hardware view: translation tables (stage 2 /
 * EPT), interrupt ownership, and entering guest mode on a CPU. The core calls
 * them while building cells at boot (before any cell runs) and when a CPU
 * enters its cell.
 */
#ifndef ARCH_CELL_H
#define ARCH_CELL_H

#include <bulkhead/bootinfo.h>
#include <lib/types.h>

struct cell;
struct config_owned_range;

/* The BH_ARCH_* value of configs this hypervisor accepts. */
uint32_t arch_config_arch(void);

/* Creates the cell's empty translation tables and arch state. */
int arch_cell_create(const struct cell *cell);

/* Maps [guest_phys, +size) to host_phys with BH_MEM_* access flags. */
int arch_cell_map(const struct cell *cell, uint64_t guest_phys, uint64_t host_phys,
		  uint64_t size_bytes, uint32_t flags);

/* Gives the cell interrupt `number` (GIC INTID / IOAPIC GSI) exclusively. */
int arch_cell_assign_irq(const struct cell *cell, uint32_t number, uint32_t flags);

/* Maps the interrupt controller parts the cell uses directly (e.g. GICR SGI frames). */
int arch_cell_map_irqchip(const struct cell *cell);

/*
 * The guest-physical range the hypervisor maps into every direct (realtime)
 * cell itself (arm64: the redistributor region); size 0 when there is none.
 * The validator refuses a realtime cell's region there
 * (config_check_direct_reserved).
 */
void arch_direct_reserved_range(uint64_t *base, uint64_t *size_bytes);

/*
 * The host-physical ranges the hypervisor keeps for itself on this machine,
 * as found at boot (arm64: every GIC register frame and the ITS from the DTB,
 * the running image): no cell may be mapped over them. Fills at most `max`
 * entries and returns how many, or -BH_E2BIG when there are more (never a
 * partial list: an owned range left out would go unchecked).
 */
int arch_owned_ranges(struct config_owned_range *out, unsigned int max);

/*
 * The host-physical address of an object in the hypervisor's image (the
 * status page): the pointer itself on arm64 (identity-mapped), the load
 * address on x86 (linked in the top 2 GiB).
 */
uint64_t arch_hv_phys(const void *object);

/* Arch parts of the native boot info (interrupt controller addresses). */
void arch_cell_fill_boot_info(const struct cell *cell, struct bh_boot_info *info);

/* Enters the cell on this CPU at `entry` with the boot argument `arg`; never returns. */
noreturn_fn void arch_cpu_enter_cell(const struct cell *cell, uint64_t entry, uint64_t arg);

/* Raises doorbell interrupt `number` (an SGI on arm64) on the cell's boot CPU. */
void arch_cell_send_doorbell(const struct cell *cell, uint32_t number);

/* Asks the CPUs of a stopped cell to leave it (cooperatively for direct cells). */
void arch_cell_request_stop(const struct cell *cell);

/*
 * The cell's interrupts as at boot, for a restart while all its CPUs are off:
 * its own interrupts disabled, none pending or active, nothing of the last run
 * queued for injection.
 */
void arch_cell_reset_interrupts(const struct cell *cell);

#endif
