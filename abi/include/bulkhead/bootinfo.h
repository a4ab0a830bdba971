/*
 * Native boot protocol (`bulkhead`): a cell CPU enters at EL1, MMU off, with
 * x0 = guest-physical address of this record. The hypervisor writes it in the
 * last 4 KiB page of the cell's first RAM region before the cell starts; the
 * cell may read it at any time. The mailbox in it is the cooperative
 * management path (docs/design.md, "Doorbells and the mailbox").
 */
#ifndef BULKHEAD_BOOTINFO_H
#define BULKHEAD_BOOTINFO_H

#include <bulkhead/abi_types.h>

#define BH_BOOTINFO_MAGIC 0x49424842u /* "BHBI" */
#define BH_BOOTINFO_VERSION 1u
#define BH_BOOTINFO_MAX_CPUS 16
#define BH_BOOTINFO_MAX_REGIONS 8
#define BH_BOOTINFO_MAX_CHANNELS 4
#define BH_BOOTINFO_MAX_IRQS 32
#define BH_BOOTINFO_PAGE_BYTES 4096u

/* bh_boot_region.flags */
#define BH_REGION_READ (1u << 0)
#define BH_REGION_WRITE (1u << 1)
#define BH_REGION_EXEC (1u << 2)
#define BH_REGION_DEVICE (1u << 3)
#define BH_REGION_COMM (1u << 4)
#define BH_REGION_HV_STATUS (1u << 5) /* the hypervisor status page, read-only */

#define BH_BOOT_NO_DOORBELL 0xffffffffu

/* bh_boot_info.flags */
#define BH_BOOT_REALTIME (1u << 0) /* direct interrupt delivery (IMO=FMO=0) */

/*
 * The hypervisor rings this Group-1 SGI on a direct cell's boot CPU after
 * writing a mailbox command; the cell answers with BH_HC_MAILBOX_ACK.
 */
#define BH_MAILBOX_DOORBELL_SGI 15u
/*
 * x86: the same doorbell is a fixed IPI of this vector to a direct cell's
 * boot CPU, interrupt line 15 of Bulkhead's realtime kernel (its line n is
 * vector 0x50 + n, rtcell/arch/x86/x86.h). A channel doorbell may not use it.
 */
#define BH_X86_MAILBOX_DOORBELL_VECTOR 0x5fu

/*
 * The other SGIs Bulkhead uses for itself on arm64: the hypervisor kicks a
 * virtual cell's CPUs with BH_ARM64_SGI_HV_KICK (never injected into the
 * cell), and Bulkhead's realtime kernel reschedules with
 * BH_ARM64_SGI_RT_RESCHED. Neither, nor the mailbox doorbell, may be a
 * channel doorbell: the validator refuses them (abi/check/arch_rules.c).
 */
#define BH_ARM64_SGI_RT_RESCHED 0u
#define BH_ARM64_SGI_HV_KICK 14u

/* bh_mailbox.command: what the hypervisor asks of the cell. */
#define BH_MAILBOX_NONE 0u
#define BH_MAILBOX_STOP 1u

struct bh_boot_region {
	uint64_t guest_phys;
	uint64_t size_bytes;
	uint32_t flags;
	uint32_t reserved;
};

struct bh_boot_channel {
	uint64_t guest_phys;
	uint64_t size_bytes;
	uint32_t doorbell_intid; /* interrupt the cell receives, BH_BOOT_NO_DOORBELL if none */
	uint32_t flags; /* BH_REGION_READ/WRITE for this cell */
	char name[16];
};

struct bh_mailbox {
	uint32_t command; /* written by the hypervisor */
	uint32_t sequence; /* bumped by the hypervisor per command */
	uint32_t acked; /* last sequence the cell answered (BH_HC_MAILBOX_ACK) */
	uint32_t seen; /* last sequence the cell's doorbell handler read; diagnostics only */
};

struct bh_boot_info {
	uint32_t magic;
	uint32_t version;
	uint32_t size_bytes; /* sizeof(struct bh_boot_info) */
	uint32_t cell_id;
	char cell_name[32];
	uint32_t flags;
	uint32_t cpu_count;
	uint64_t cpu_mpidr[BH_BOOTINFO_MAX_CPUS]; /* the cell's CPUs; [0] is its boot CPU */
	uint32_t region_count;
	uint32_t channel_count;
	struct bh_boot_region regions[BH_BOOTINFO_MAX_REGIONS];
	struct bh_boot_channel channels[BH_BOOTINFO_MAX_CHANNELS];
	uint32_t irq_count;
	uint32_t reserved;
	uint32_t irqs[BH_BOOTINFO_MAX_IRQS]; /* interrupt ids the cell owns (SPIs) */
	uint64_t gicd_base; /* guest-physical; accesses are trapped and filtered */
	/* Per CPU (same order as cpu_mpidr): its redistributor, RD frame then SGI frame. */
	uint64_t cpu_gicr_base[BH_BOOTINFO_MAX_CPUS];
	/* Per CPU (same order): the hypervisor's logical number, as BH_HC_CPU_STATS takes it. */
	uint32_t cpu_logical[BH_BOOTINFO_MAX_CPUS];
	struct bh_mailbox mailbox;
};

_Static_assert(sizeof(struct bh_boot_info) <= BH_BOOTINFO_PAGE_BYTES, "boot info fits a page");

#endif
