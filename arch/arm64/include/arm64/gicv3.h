/*
 * GICv3 as the hypervisor sees it: it initialises the distributor and every
 * redistributor, keeps the SPI ownership table, and filters the distributor
 * and redistributor-control accesses that cells make (they trap: neither frame
 * is in any stage 2). A direct cell's CPU interface is never touched here.
 */
#ifndef ARM64_GICV3_H
#define ARM64_GICV3_H

#include <bulkhead/bootinfo.h>
#include <hv/cell.h>
#include <hv/platform.h>
#include <lib/types.h>

#define GIC_INTID_SPI_FIRST 32u
#define GIC_INTID_LIMIT 1020u
/* The SGI the hypervisor sends to kick virtual-mode CPUs into EL2. */
#define GIC_HV_KICK_SGI BH_ARM64_SGI_HV_KICK

#define GICR_FRAME_BYTES 0x20000ull /* RD frame + SGI frame */

/*
 * GICD_IROUTER keeps MPIDR's own layout (Aff3 in bits 39:32, Aff2.Aff1.Aff0
 * in 23:0) with IRM ("1 of N") in bit 31; GICR_TYPER packs Aff3.Aff2.Aff1.Aff0
 * into 32 bits instead. Mixing the two routes to the wrong CPU once Aff3 != 0.
 */
#define GICD_IROUTER_AFFINITY_MASK 0xff00ffffffull

static inline uint64_t gic_irouter_of_mpidr(uint64_t mpidr)
{
	return mpidr & GICD_IROUTER_AFFINITY_MASK;
}
#define GICR_SGI_FRAME_OFFSET 0x10000ull

/* Boot CPU: distributor and the redistributor map, from the device tree. */
void gicv3_init(const void *dtb, const struct platform *plat);
/* Every CPU: wakes its redistributor and enables the system register interface. */
void gicv3_cpu_init(void);

uint64_t gicv3_gicd_base(void);
uint64_t gicv3_gicd_size(void);
struct config_owned_range;
/* Every GIC register frame and ITS of the device tree; returns how many. */
unsigned int gicv3_owned_ranges(const struct config_owned_range **ranges);
/* The redistributor region as the device tree gives it. */
void gicv3_gicr_region(uint64_t *base, uint64_t *size_bytes);
/* Physical base of logical CPU `cpu`'s redistributor (RD frame), or 0. */
uint64_t gicv3_gicr_of_cpu(unsigned int cpu);

/* Ownership of SPIs: 0, -BH_ERANGE (not an SPI this GIC has) or -BH_EBUSY (owned already). */
int gicv3_assign_spi(unsigned int cell_id, uint32_t intid, uint64_t route_mpidr);
/* The cell that owns `intid`, or -1. */
/* A cell's SPI as at boot, for its restart: disabled, not pending, not active, routed to
 * `route_mpidr`. */
void gicv3_reset_spi(uint32_t intid, uint64_t route_mpidr);
/* CPU `cpu`'s SGIs and PPIs, except the hypervisor's own: not pending, not active. */
void gicv3_reset_private(unsigned int cpu);
/* A direct cell's CPU: its ICC_DIR_EL1 writes trap (or, on a GIC that cannot, it is said). */
void gicv3_trap_direct_deactivation(const char *cell, unsigned int cpu);
int gicv3_owner(uint32_t intid);

/* Sends SGI `intid` (Group 1) to the CPU with affinity `mpidr`. */
void gicv3_send_sgi(uint32_t intid, uint64_t mpidr);

/* Prepares the physical CPU interface of a virtual-mode CPU (the hv owns it). */
void gicv3_take_cpu_interface(void);

/*
 * A cell's trapped access to the distributor or a redistributor control
 * frame. Returns true when the address is one of them (the access was
 * emulated or filtered; *value holds the read result), false otherwise.
 */
bool gicv3_emulate_access(const struct cell *cell, uint64_t pa, bool is_write,
			  unsigned int size_bytes, uint64_t *value, unsigned int *entry_reason);

#endif
