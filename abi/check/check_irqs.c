/*
 * Interrupts: each record is listed by its cell and device, in the
 * architecture's assignable range, and owned by one cell only (I3).
 */
#include "checker.h"

void check_irqs(struct checker *c)
{
	for (uint32_t q = 0; q < c->irq_count; q++) {
		const struct bh_irq *irq = &c->irqs[q];
		uint32_t owner = irq->cell;

		if (owner >= c->cell_count || q < c->cells[owner].irq_first ||
		    q >= c->cells[owner].irq_first + c->cells[owner].irq_count ||
		    irq->device >= c->device_count || c->devices[irq->device].cell != owner ||
		    q < c->devices[irq->device].irq_first ||
		    q - c->devices[irq->device].irq_first >= c->devices[irq->device].irq_count) {
			check_problem(
				c, CONFIG_E_OWNER, CONFIG_AT_IRQ, q, "cell",
				"interrupt record %u (number %u) names cell %u and device %u, "
				"which do not list it",
				q, irq->number, owner, irq->device);
			continue;
		}
		struct shown_name owner_name = show_name(c->cells[owner].name);
		const char *cname = owner_name.text;
		if (irq->flags & ~BH_IRQ_FLAGS_KNOWN) {
			check_problem(c, CONFIG_E_FLAGS, CONFIG_AT_IRQ, q, "flags",
				      "cell \"%s\": interrupt %u: unknown flags 0x%x", cname,
				      irq->number, irq->flags);
		}
		if (irq->number < c->rules->irq_first || irq->number >= c->rules->irq_limit) {
			check_problem(c, CONFIG_E_IRQ, CONFIG_AT_IRQ, q, "number",
				      "cell \"%s\": interrupt %u is out of range: expected %s",
				      cname, irq->number, c->rules->irq_expected);
			continue;
		}
		for (uint32_t k = 0; k < q; k++)
			if (c->irqs[k].number == irq->number && c->irqs[k].cell < c->cell_count)
				check_problem(
					c, CONFIG_E_IRQ, CONFIG_AT_IRQ, q, "number",
					"cell \"%s\": interrupt %u is also owned by cell \"%s\"",
					cname, irq->number, CELL_NAME(c, c->irqs[k].cell));
	}
}
