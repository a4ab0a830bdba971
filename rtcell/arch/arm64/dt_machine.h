/*
 * What the bare realtime kernel needs to know of a board, read from the
 * device tree the boot loader passes (QEMU -kernel, U-Boot booti): the GICv3
 * distributor and redistributor regions, the console PL011, the PSCI conduit
 * and the CPUs' MPIDRs. Pure parsing (no device access), so the host tests
 * run it on real trees (tests/rtcell/dt_probe.c).
 */
#ifndef RT_ARM64_DT_MACHINE_H
#define RT_ARM64_DT_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#define RT_DT_MAX_CPUS 8 /* RT_ARM64_MAX_CPUS */
#define RT_DT_MAX_GICR_REGIONS 4

enum rt_dt_psci {
	RT_DT_PSCI_NONE = 0, /* no /psci node: the caller decides */
	RT_DT_PSCI_SMC,
	RT_DT_PSCI_HVC,
};

struct rt_dt_machine {
	uint64_t gicd;
	uint64_t gicr_base[RT_DT_MAX_GICR_REGIONS];
	uint64_t gicr_size[RT_DT_MAX_GICR_REGIONS];
	unsigned gicr_regions;
	uint64_t uart; /* PL011 of /chosen stdout-path, else the first PL011; 0: none */
	enum rt_dt_psci psci;
	unsigned ncpus; /* the first RT_DT_MAX_CPUS of /cpus, in tree order */
	uint64_t mpidr[RT_DT_MAX_CPUS];
};

/*
 * Fills `m` from the blob at `dtb` (at most `max_size` bytes). 0, or -1 when
 * it is no device tree or has no "arm,gic-v3" node or no CPU. Nodes are
 * searched at the root and one level below (a board's /soc bus), whose
 * `ranges` must be an identity mapping (they are on the boards we know).
 */
int rt_dt_machine_read(const void *dtb, size_t max_size, struct rt_dt_machine *m);

#endif
