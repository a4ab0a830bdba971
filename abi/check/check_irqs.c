/*
 * Interrupts: each record is listed by its cell and device, in the
 * architecture's assignable range, and owned by one cell only (I3).
 */
#include "checker.h"

/* Record q lies in the interrupt slices of the cell and of the device it names. */
static bool irq_listed(struct checker *c, uint32_t q, const struct bh_irq *irq)
{
	if (irq->cell >= c->cell_count || irq->device >= c->device_count)
		return false;
	const struct bh_cell *cell = cell_at(c, irq->cell);
	const struct bh_device *dev = device_at(c, irq->device);

	return in_slice(q, cell->irq_first, cell->irq_count) && dev->cell == irq->cell &&
	       in_slice(q, dev->irq_first, dev->irq_count);
}

void check_irqs(struct checker *c)
{
	for (uint32_t q = 0; q < c->irq_count; q++) {
		const struct bh_irq *irq = irq_at(c, q);
		uint32_t owner = irq->cell;

		if (!irq_listed(c, q, irq)) {
			check_problem(
				c, CONFIG_E_OWNER, CONFIG_AT_IRQ, q, "cell",
				"interrupt record %u (number %u) names cell %u and device %u, "
				"which do not list it",
				q, irq->number, owner, irq->device);
			continue;
		}
		struct shown_name owner_name = show_name(cell_at(c, owner)->name);
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
		for (uint32_t k = 0; k < q; k++) {
			const struct bh_irq *other = irq_at(c, k);

			if (other->number == irq->number && other->cell < c->cell_count)
				check_problem(
					c, CONFIG_E_IRQ, CONFIG_AT_IRQ, q, "number",
					"cell \"%s\": interrupt %u is also owned by cell \"%s\"",
					cname, irq->number, CELL_NAME(c, other->cell));
		}
	}
}
