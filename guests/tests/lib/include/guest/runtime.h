/*
 * The test-cell runtime: entry, per-CPU stacks, exception dispatch, exit.
 * A program defines guest_main(); CPUs are numbered by their index in the
 * boot info's cpu_mpidr[] (0 = boot CPU), kept in TPIDR_EL1.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bulkhead/bootinfo.h>
#include <guest/asm.h>

_Static_assert(GUEST_MAX_CPUS == BH_BOOTINFO_MAX_CPUS, "one stack per boot-info CPU");

/* struct exception_frame, written by the vectors (vectors.S), and the slot enums. */
#include <aarch64/frame.h>

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_EC_UNKNOWN 0x00
#define ESR_EC_INSTR_ABORT_SAME_EL 0x21
#define ESR_EC_DATA_ABORT_SAME_EL 0x25
#define ESR_EC_SERROR 0x2f

/* The program: returns its exit code (passed to BH_HC_CELL_EXIT). */
int guest_main(const struct bh_boot_info *boot_info);

/* The boot info the boot CPU received in x0 (already checked). */
const struct bh_boot_info *guest_boot_info(void);

/* This CPU's index in the boot info (0 = boot CPU). */
static inline unsigned int guest_cpu_index(void)
{
	uint64_t index;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(index));
	return (unsigned int)index;
}

/*
 * Starts CPU `index` of the boot info with PSCI CPU_ON; it runs
 * `entry(index)` on its own stack and is turned off (PSCI CPU_OFF) when
 * entry returns. Returns the PSCI result (0 = started).
 */
int64_t guest_start_cpu(unsigned int index, void (*entry)(unsigned int index));

/*
 * IRQ handler for every CPU (NULL: an IRQ is unexpected). Called with IRQs
 * masked; it must acknowledge and end the interrupt itself.
 */
void guest_set_irq_handler(void (*handler)(struct exception_frame *frame));

/*
 * Hook tried before an unexpected synchronous exception or SError is
 * reported: returning true means it handled the exception (it may change
 * frame->elr to resume elsewhere). NULL removes it.
 */
void guest_set_exception_hook(bool (*hook)(struct exception_frame *frame, unsigned int type));

/* A short name for an exception class ("data abort", "undefined", ...). */
const char *guest_exception_class_name(uint64_t esr);

/* Entry points the assembly calls; not for programs. */
void guest_boot_main(uint64_t boot_info_ipa); /* start.S, boot CPU */
void guest_secondary_main(unsigned int index); /* start.S, other CPUs */
void guest_exception(struct exception_frame *frame, unsigned int slot); /* vectors.S */

#endif
