/*
 * The Linux x86 32-bit boot protocol for linux-x86 cells (vmx/linux_boot.h).
 * Facts from Documentation/arch/x86/boot.rst ("32-bit BOOT PROTOCOL"): the
 * kernel is entered at the protected-mode kernel's load address (code32_start)
 * with a flat 4 GiB code segment at __BOOT_CS (0x10) and data segments at
 * __BOOT_DS (0x18), interrupts disabled, %esi holding the base address of
 * struct boot_params and %ebp, %edi, %ebx zero. vmcs_setup_for_cell already
 * starts every cell in flat 32-bit protected mode with paging and interrupts
 * off; only the selectors and registers differ. The 32-bit entry is used
 * rather than the 64-bit one so that the hypervisor builds no page tables or
 * GDT inside the cell: the kernel's startup_32 loads its own GDT, builds its
 * identity map and enters long mode itself (unrestricted guest lets it).
 *
 * The same cells may instead carry the flat, uncompressed kernel for Linux's
 * PVH entry (Xen's docs/misc/pvh.pandoc: 32-bit protected mode, paging off,
 * flat segments, %ebx = the hvm_start_info), which skips the bzImage's own
 * decompression; bhcfg then writes an hvm_start_info instead of boot_params
 * (tools/bhcfg/emit_x86_boot.c), told apart by its magic at +0 (boot_params
 * begins with zeros), and the cell's entry is the kernel's PVH entry.
 */
#include <hv/guest_mem.h>
#include <vmx/linux_boot.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>

#define BOOT_CS 0x10
#define BOOT_DS 0x18
#define PVH_START_INFO_MAGIC 0x336ec578u

static bool is_pvh_start_info(const struct cell *cell, uint64_t params)
{
	const void *at = guest_mem_range(cell, params, sizeof(uint32_t), BH_MEM_READ);
	uint32_t magic = 0;

	if (at)
		guest_mem_read(&magic, at, sizeof(magic));
	return magic == PVH_START_INFO_MAGIC;
}

bool vmx_cell_owns_lapic(const struct cell *cell)
{
	return (cell->desc->flags & BH_CELL_REALTIME) ||
	       cell->desc->boot_protocol == BH_BOOT_LINUX_X86;
}

bool linux_boot_prepare(const struct cell *cell, struct guest_regs *regs, uint64_t boot_params)
{
	if (cell->desc->boot_protocol != BH_BOOT_LINUX_X86)
		return true;
	bool pvh = is_pvh_start_info(cell, boot_params);

	regs->r[REG_RSI] = pvh ? 0 : boot_params;
	regs->r[REG_RDI] = 0;
	regs->r[REG_RBX] = pvh ? boot_params : 0;
	regs->r[REG_RBP] = 0;
	return vmwrite(VMCS_GUEST_ES_SEL + 2 * SEG_CS, BOOT_CS) &&
	       vmwrite(VMCS_GUEST_ES_SEL + 2 * SEG_DS, BOOT_DS) &&
	       vmwrite(VMCS_GUEST_ES_SEL + 2 * SEG_ES, BOOT_DS) &&
	       vmwrite(VMCS_GUEST_ES_SEL + 2 * SEG_SS, BOOT_DS);
}
