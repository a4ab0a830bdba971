/*
 * Exceptions delivered into a cell at EL1, as the hardware would take them:
 * the cell's own vector (VBAR_EL1) runs with ESR/FAR/ELR/SPSR_EL1 describing
 * the fault, interrupts masked, in EL1h. A cell's bad access thus lands in
 * its own exception handler, never in the hypervisor's.
 */
#include <aarch64/sysreg.h>
#include <arm64/guest.h>

#define EC_UNKNOWN 0x00
#define EC_IABT_LOWER 0x20
#define EC_IABT_SAME 0x21
#define EC_DABT_LOWER 0x24
#define EC_DABT_SAME 0x25
#define ESR_IL (1ull << 25)
#define FSC_SYNC_EXTERNAL 0x10
#define ISS_WNR (1ull << 6)

#define SPSR_MODE_MASK 0xfull
#define SPSR_EL1T 0x4
#define SPSR_EL1H 0x5
#define SPSR_DAIF_MASKED (0xfull << 6)

#define VECTOR_CURRENT_SP0 0x000
#define VECTOR_CURRENT_SPX 0x200
#define VECTOR_LOWER_A64 0x400

static bool from_el1(const struct exception_frame *f)
{
	uint64_t mode = f->spsr & SPSR_MODE_MASK;

	return mode == SPSR_EL1T || mode == SPSR_EL1H;
}

static void deliver(struct exception_frame *f, uint64_t esr, uint64_t far)
{
	uint64_t mode = f->spsr & SPSR_MODE_MASK;
	uint64_t offset = mode == SPSR_EL1H   ? VECTOR_CURRENT_SPX
			  : mode == SPSR_EL1T ? VECTOR_CURRENT_SP0
					      : VECTOR_LOWER_A64;

	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, f->elr);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = read_sysreg(vbar_el1) + offset;
	f->spsr = SPSR_DAIF_MASKED | SPSR_EL1H;
}

void guest_inject_abort(struct exception_frame *f, bool instruction)
{
	uint64_t ec;

	if (instruction)
		ec = from_el1(f) ? EC_IABT_SAME : EC_IABT_LOWER;
	else
		ec = from_el1(f) ? EC_DABT_SAME : EC_DABT_LOWER;
	uint64_t esr = ec << 26 | ESR_IL | FSC_SYNC_EXTERNAL;

	if (!instruction)
		esr |= f->esr & ISS_WNR;
	deliver(f, esr, f->far);
}

void guest_inject_undefined(struct exception_frame *f)
{
	deliver(f, (uint64_t)EC_UNKNOWN << 26 | ESR_IL, 0);
}
