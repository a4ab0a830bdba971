/*
 * Exception dispatch for every CPU of a test cell: IRQs go to the program's
 * handler, synchronous exceptions and SErrors to its hook if it has one;
 * anything else is a bug, dumped to the console before the cell exits 2.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>

static void (*irq_handler)(struct exception_frame *frame);
static bool (*exception_hook)(struct exception_frame *frame, unsigned int type);

void guest_set_irq_handler(void (*handler)(struct exception_frame *frame))
{
	irq_handler = handler;
}

void guest_set_exception_hook(bool (*hook)(struct exception_frame *frame, unsigned int type))
{
	exception_hook = hook;
}

const char *guest_exception_class_name(uint64_t esr)
{
	switch (ESR_EC(esr)) {
	case ESR_EC_UNKNOWN:
		return "undefined instruction";
	case 0x01:
		return "wfi/wfe";
	case 0x07:
		return "fp/simd access";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "svc";
	case 0x16:
		return "hvc";
	case 0x17:
		return "smc";
	case 0x18:
		return "system register";
	case 0x20:
	case ESR_EC_INSTR_ABORT_SAME_EL:
		return "instruction abort";
	case 0x22:
		return "pc alignment";
	case 0x24:
	case ESR_EC_DATA_ABORT_SAME_EL:
		return "data abort";
	case 0x26:
		return "sp alignment";
	case ESR_EC_SERROR:
		return "serror";
	case 0x31:
		return "breakpoint";
	case 0x35:
		return "watchpoint";
	case 0x3c:
		return "brk";
	default:
		return "other";
	}
}

static void dump_frame(const struct exception_frame *frame, unsigned int slot)
{
	static const char *const type_names[] = { "synchronous", "irq", "fiq", "serror" };
	static const char *const source_names[] = { "el1 sp0", "el1 spx", "el0 aarch64",
						    "el0 aarch32" };

	console_printf("guest: cpu %u: unexpected %s exception from %s: ESR 0x%lx (EC 0x%lx %s) "
		       "FAR 0x%lx ELR 0x%lx SPSR 0x%lx SP 0x%lx\n",
		       guest_cpu_index(), type_names[slot & 3], source_names[slot >> 2], frame->esr,
		       ESR_EC(frame->esr), guest_exception_class_name(frame->esr), frame->far,
		       frame->elr, frame->spsr, frame->sp);
	for (unsigned int i = 0; i < 28; i += 4) {
		console_printf(
			"guest:   x%-2u 0x%016lx  x%-2u 0x%016lx  x%-2u 0x%016lx  x%-2u 0x%016lx\n",
			i, frame->x[i], i + 1, frame->x[i + 1], i + 2, frame->x[i + 2], i + 3,
			frame->x[i + 3]);
	}
	console_printf("guest:   x28 0x%016lx  x29 0x%016lx  x30 0x%016lx\n", frame->x[28],
		       frame->x[29], frame->x[30]);
}

/* vectors.S: slot = 4 * source + type. */
void guest_exception(struct exception_frame *frame, unsigned int slot)
{
	unsigned int type = slot & 3;
	unsigned int source = slot >> 2;

	if (source == EXC_FROM_CURRENT_SPX) {
		if (type == EXC_IRQ && irq_handler) {
			irq_handler(frame);
			return;
		}
		if ((type == EXC_SYNC || type == EXC_SERROR) && exception_hook &&
		    exception_hook(frame, type))
			return;
	}
	dump_frame(frame, slot);
	bh_cell_exit(GUEST_EXIT_UNEXPECTED_EXCEPTION);
}
