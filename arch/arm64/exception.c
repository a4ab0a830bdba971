/*
 * EL2 exception dispatch: traps from cells go to guest_trap(); an exception
 * taken from EL2 itself is a hypervisor bug: dump the frame with the syndrome
 * decoded enough to read, then fail the run.
 */
#include <arch/arch_cpu.h>
#include <arm64/exception.h>
#include <arm64/guest.h>
#include <hv/console.h>
#include <hv/panic.h>

static const char *const slot_names[16] = {
	"sync, EL2 SP0",      "irq, EL2 SP0",      "fiq, EL2 SP0",      "serror, EL2 SP0",
	"sync, EL2 SPx",      "irq, EL2 SPx",      "fiq, EL2 SPx",      "serror, EL2 SPx",
	"sync, lower EL A64", "irq, lower EL A64", "fiq, lower EL A64", "serror, lower EL A64",
	"sync, lower EL A32", "irq, lower EL A32", "fiq, lower EL A32", "serror, lower EL A32",
};

static void dump_frame(const struct exception_frame *f, uint64_t slot)
{
	console_print_unlocked("\nhv: unexpected exception on cpu %u: %s\n", arch_cpu_this(),
			       slot_names[slot & 15]);
	console_print_unlocked(
		"  ESR  0x%016llx (EC 0x%02llx, ISS 0x%07llx)\n", (unsigned long long)f->esr,
		(unsigned long long)(f->esr >> 26) & 0x3f, (unsigned long long)f->esr & 0x1ffffff);
	console_print_unlocked("  FAR  0x%016llx\n", (unsigned long long)f->far);
	console_print_unlocked("  ELR  0x%016llx\n", (unsigned long long)f->elr);
	console_print_unlocked("  SPSR 0x%016llx\n", (unsigned long long)f->spsr);
	console_print_unlocked("  SP   0x%016llx\n", (unsigned long long)f->sp);
	for (unsigned int i = 0; i < 31; i += 2) {
		if (i + 1 < 31)
			console_print_unlocked("  x%-2u  0x%016llx  x%-2u  0x%016llx\n", i,
					       (unsigned long long)f->x[i], i + 1,
					       (unsigned long long)f->x[i + 1]);
		else
			console_print_unlocked("  x%-2u  0x%016llx\n", i,
					       (unsigned long long)f->x[i]);
	}
}

#define SLOT_FIRST_LOWER_EL 8

void arm64_exception(struct exception_frame *frame, uint64_t slot)
{
	if (slot >= SLOT_FIRST_LOWER_EL) {
		guest_trap(frame, slot);
		return;
	}
	dump_frame(frame, slot);
	hv_fail_stop();
}
