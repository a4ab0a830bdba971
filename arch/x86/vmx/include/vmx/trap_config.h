/*
 * What a cell's CPU exits to the hypervisor for, per cell mode (direct = a
 * cell that drives its own local APIC: realtime or linux-x86; virtual = any
 * other): the VMX controls vmcs_setup.c asks for and
 * the MSR and I/O bitmap policies cell_vmx.c builds. The CPU's must-be-one
 * bits (the capability MSRs' allowed-0 settings) are ORed in at run time;
 * vmcs_setup.c refuses a CPU that forces an exit named unwanted here.
 * docs/design.md ("Trap configuration") gives the reason for every bit;
 * tests/verify/test_trap_table.py compiles this header and fails when a value
 * and that table disagree. Only #defines and constant tables: the host test
 * includes it.
 */
#ifndef VMX_TRAP_CONFIG_H
#define VMX_TRAP_CONFIG_H

#include <vmx/vmcs_fields.h>

/* Pin-based: no interrupt or NMI exits, except in the positive-control build. */
#define VMX_PIN_CELL (BH_X86_INTERRUPT_EXITING ? PIN_EXTERNAL_INTERRUPT_EXITING : 0)
#define VMX_PIN_NEVER \
	(PIN_NMI_EXITING | (BH_X86_INTERRUPT_EXITING ? 0 : PIN_EXTERNAL_INTERRUPT_EXITING))

/* Processor-based: a direct cell's HLT waits for its own interrupts without an exit. */
#define VMX_PROC_DIRECT (PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY)
#define VMX_PROC_VIRTUAL (VMX_PROC_DIRECT | PROC_HLT_EXITING)

#define VMX_PROC2_CELL \
	(PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_RDTSCP | \
	 PROC2_WBINVD_EXITING)

#define VMX_EXIT_CELL \
	(EXIT_HOST_ADDRESS_SPACE_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT | \
	 EXIT_LOAD_PAT | (BH_X86_INTERRUPT_EXITING ? EXIT_ACK_INTERRUPT_ON_EXIT : 0))

/* The cell starts in protected mode: ENTRY_IA32E_GUEST stays 0 until it sets EFER.LMA. */
#define VMX_ENTRY_CELL (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT)

/* No exception exits: the cell handles its own faults. */
#define VMX_EXCEPTION_BITMAP_CELL 0u

/* Both bitmaps start all ones (every port, every MSR exits), then open what is listed. */
#define VMX_BITMAP_ALL_EXIT 0xff

/* The x2APIC ICR: its writes could reach other cells' CPUs, vmx/msr.c checks them. */
#define VMX_MSR_X2APIC_ICR 0x830u

/* MSRs a direct cell accesses without an exit: first, last, reads pass, writes pass. */
struct vmx_msr_pass {
	unsigned int first, last;
	unsigned char read, write;
};
static const struct vmx_msr_pass vmx_direct_msr_pass[] = {
	{ 0x800u, VMX_MSR_X2APIC_ICR - 1, 1, 1 }, /* x2APIC */
	{ VMX_MSR_X2APIC_ICR, VMX_MSR_X2APIC_ICR, 1, 0 }, /* ICR */
	{ VMX_MSR_X2APIC_ICR + 1, 0x8ffu, 1, 1 }, /* x2APIC */
	{ 0x6e0u, 0x6e0u, 1, 1 }, /* IA32_TSC_DEADLINE */
};

#endif
