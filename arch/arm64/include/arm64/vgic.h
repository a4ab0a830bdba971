/*
 * Virtual GICv3 for virtual-mode cells (Linux): the hypervisor owns the
 * physical CPU interface of those CPUs, takes their interrupts at EL2 and
 * injects them through the list registers. Owned SPIs and PPIs are injected
 * hardware-linked (the cell's virtual EOI deactivates the physical
 * interrupt); SGIs between the cell's own CPUs are emulated. Interrupts that
 * find no free list register wait in a per-CPU pending set until the
 * maintenance interrupt (underflow) says list registers have drained.
 */
#ifndef ARM64_VGIC_H
#define ARM64_VGIC_H

#include <arm64/exception.h>
#include <hv/cell.h>

#define GIC_MAINTENANCE_PPI 25u

/* Entering a virtual-mode cell on this CPU: list registers empty, virtual interface on. */
void vgic_cpu_enter(void);

/* Drops what is pending for `cpu` (off, its cell restarting): nothing of the old run is
 * injected into the next. */
void vgic_cpu_forget(unsigned int cpu);

/* A physical interrupt taken at EL2 on this virtual-mode CPU. */
void vgic_handle_irq(struct cell *cell, unsigned int cpu);

/* The cell wrote ICC_SGI1R_EL1 (value): deliver to its own CPUs, drop the rest. */
void vgic_send_sgi(struct cell *cell, unsigned int cpu, uint64_t sgi1r);

/* Makes virtual SGI `intid` pending on `cpu` (of a virtual-mode cell) and kicks it. */
void vgic_inject_sgi(unsigned int cpu, uint32_t intid);

/* Moves interrupts pending for this CPU into free list registers (before returning to the cell). */
void vgic_flush(unsigned int cpu);

/*
 * A trapped access to one of the cell's redistributors (RD or SGI frame).
 * Returns true when emulated (reads in *value).
 */
bool vgic_emulate_gicr(const struct cell *cell, uint64_t pa, bool is_write, unsigned int size_bytes,
		       uint64_t *value);

#endif
