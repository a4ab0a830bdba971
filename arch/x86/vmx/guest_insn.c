/*
 * Fetching the cell's MMIO instruction (vmx/guest_insn.h) for the decoder
 * (vmx/mmio_decode.c).
 * Every byte and every page-table entry is read through guest_mem_range, so
 * a table or an instruction outside the cell's own memory just fails the
 * decode; the cell then gets the #GP of an access outside its EPT.
 */
#include <bulkhead/config.h>
#include <hv/guest_mem.h>
#include <vmx/guest_insn.h>
#include <vmx/guest_regs.h>
#include <vmx/mmio_decode.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>

#define MAX_INSN_BYTES 15u
#define PTE_PRESENT (1ull << 0)
#define PTE_LARGE (1ull << 7)
#define PTE_ADDRESS 0x000ffffffffff000ull
#define CR0_PG (1ull << 31)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

/* The guest-physical address of a linear one, by the cell's own page tables. */
static bool linear_to_phys(const struct cell *cell, uint64_t linear, uint64_t *phys)
{
	uint64_t table = vmread(VMCS_GUEST_CR3) & PTE_ADDRESS;

	if (!(vmread(VMCS_GUEST_CR0) & CR0_PG)) {
		*phys = (uint32_t)linear;
		return true;
	}
	if (!(vmread(VMCS_GUEST_EFER) & EFER_LMA) || (vmread(VMCS_GUEST_CR4) & CR4_LA57))
		return false; /* 32-bit paging and 5-level paging are not walked */
	for (int level = 3; level >= 0; level--) {
		unsigned int shift = 12 + 9 * (unsigned int)level;
		const void *at = guest_mem_range(cell, table + 8 * ((linear >> shift) & 511), 8,
						 BH_MEM_READ);
		uint64_t entry;

		if (!at)
			return false;
		guest_mem_read(&entry, at, sizeof(entry));
		if (!(entry & PTE_PRESENT))
			return false;
		if (level == 0 || ((level == 1 || level == 2) && (entry & PTE_LARGE))) {
			uint64_t span = 1ull << shift;

			*phys = ((entry & PTE_ADDRESS) & ~(span - 1)) | (linear & (span - 1));
			return true;
		}
		table = entry & PTE_ADDRESS;
	}
	return false;
}

bool guest_mmio_insn_at_rip(const struct cell *cell, struct guest_mmio_insn *out)
{
	uint64_t rip = vmread(VMCS_GUEST_ES_BASE + 2 * SEG_CS) + vmread(VMCS_GUEST_RIP);
	uint8_t bytes[MAX_INSN_BYTES];
	unsigned int count = 0;

	/* Byte by byte: the instruction may cross into a page mapped elsewhere, or nowhere. */
	for (; count < MAX_INSN_BYTES; count++) {
		uint64_t phys;
		const void *byte;

		if (!linear_to_phys(cell, rip + count, &phys))
			break;
		byte = guest_mem_range(cell, phys, 1, BH_MEM_READ);
		if (!byte)
			break;
		guest_mem_read(&bytes[count], byte, 1);
	}
	return guest_decode_mmio_insn(bytes, count, out);
}
