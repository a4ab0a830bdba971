/*
 * Entering a linux-x86 cell (Documentation/arch/x86/boot.rst, "32-bit BOOT
 * PROTOCOL"): the protected-mode kernel at its load address, %esi the boot
 * parameters bhcfg made (tools/bhcfg/emit_x86_boot.c), flat 4 GiB segments
 * with the selectors the protocol names, paging and interrupts off.
 */
#ifndef VMX_LINUX_BOOT_H
#define VMX_LINUX_BOOT_H

#include <hv/cell.h>
#include <vmx/guest_regs.h>

/*
 * After vmcs_setup_for_cell: for a linux-x86 cell, the boot protocol's
 * selectors in the current VMCS and its registers in `regs` (boot_params at
 * `boot_params` in %esi, %ebp, %edi and %ebx zero; or, when the item there is
 * a PVH hvm_start_info, its address in %ebx and %esi zero); other cells are
 * left as they are. False if a VMWRITE failed.
 */
bool linux_boot_prepare(const struct cell *cell, struct guest_regs *regs, uint64_t boot_params);

/*
 * Whether the cell drives its CPUs' local APICs itself (x2APIC mode, its
 * x2APIC MSRs passed through except the ICR, which vmx/msr.c checks): a
 * realtime cell, and a Linux cell, whose timer and self-IPIs are its own.
 */
bool vmx_cell_owns_lapic(const struct cell *cell);

#endif
