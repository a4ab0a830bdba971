/*
 * Binary system configuration: what bhcfg emits and the hypervisor reads.
 * One blob = header + five arrays of fixed-size records, all little-endian,
 * naturally aligned, explicitly padded, no pointers: indexes and byte offsets only.
 * Invariants checked by abi/check/ (bhcfg and the hypervisor alike).
 */
#ifndef BULKHEAD_CONFIG_H
#define BULKHEAD_CONFIG_H

#include <bulkhead/abi_types.h>

#define BH_CONFIG_MAGIC 0x46434842u /* bytes "BHCF" in a little-endian u32 */
#define BH_CONFIG_ABI_VERSION 1u

/* Every index field that may be unused (item, irq, cell). */
#define BH_NONE 0xffffffffu

#define BH_NAME_LEN 32 /* names are NUL-terminated inside these bytes */
#define BH_CELL_MAX_CPUS 16
#define BH_CHANNEL_MAX_ENDPOINTS 4
#define BH_PAGE_BYTES 4096u /* every region, channel and hv range is page-aligned */

/* bh_config_header.arch */
#define BH_ARCH_ARM64 1u
#define BH_ARCH_X86_64 2u

/* bh_console.kind: the hypervisor's own console. */
#define BH_CONSOLE_NONE 0u
#define BH_CONSOLE_PL011 1u /* MMIO at base */
#define BH_CONSOLE_8250_PORT 2u /* x86 I/O ports at base */

/* bh_cell.flags */
#define BH_CELL_REALTIME (1u << 0) /* direct interrupts, no hypervisor entries in steady state */
/*
 * When this cell stops, the system shuts down: other virtual-mode cells are
 * stopped, realtime cells are asked through their mailbox, and the machine
 * powers off once all have stopped (or after a grace period).
 */
#define BH_CELL_STOPS_SYSTEM (1u << 1)
/*
 * An access outside the cell's memory (stage-2/EPT fault) stops the cell
 * (exit code 2) instead of being reported to it as an abort (arm64) or a
 * #GP(0) (x86); docs/hypervisor.md.
 */
#define BH_CELL_STOP_ON_FAULT (1u << 2)
/*
 * PSCI SYSTEM_RESET from this cell restarts it (hv/core/cell_restart.c): its
 * CPUs leave it, its memory is scrubbed, its images, initrd and DTB are
 * loaded again and its interrupts reset; other cells run on. SYSTEM_OFF still
 * stops it. Virtual-mode cells only: a direct cell's CPUs cannot be forced out.
 */
#define BH_CELL_RESTART_ON_RESET (1u << 3)
/*
 * A management cell: it may ask for the restart of another cell that has
 * BH_CELL_RESTART_ON_RESET (BH_HC_CELL_RESTART), as that cell's own
 * SYSTEM_RESET would. No other power over other cells comes with it.
 */
#define BH_CELL_MANAGER (1u << 4)
#define BH_CELL_FLAGS_KNOWN \
	(BH_CELL_REALTIME | BH_CELL_STOPS_SYSTEM | BH_CELL_STOP_ON_FAULT | \
	 BH_CELL_RESTART_ON_RESET | BH_CELL_MANAGER)

/* bh_cell.boot_protocol */
#define BH_BOOT_LINUX_ARM64 1u /* x0 = dtb_guest_phys, enter at entry_guest_phys (EL1) */
#define BH_BOOT_LINUX_X86 2u /* Linux x86 32-bit boot protocol: esi = dtb_guest_phys */
#define BH_BOOT_NATIVE 3u /* bulkhead/bootinfo.h */

/* bh_mem_region.flags and bh_channel_endpoint.access (same values as bootinfo.h) */
#define BH_MEM_READ (1u << 0)
#define BH_MEM_WRITE (1u << 1)
#define BH_MEM_EXEC (1u << 2)
#define BH_MEM_DEVICE (1u << 3) /* mapped as device memory (MMIO passed through) */
#define BH_MEM_COMM (1u << 4) /* the mapping of a channel; see bh_mem_region.channel */
/*
 * Maps the hypervisor's status page (bulkhead/status.h) read-only at guest_phys:
 * host_phys is 0 and ignored (the hypervisor supplies the page), flags are
 * READ | BH_MEM_HV_STATUS only, size_bytes >= the status page rounded up to 4 KiB.
 */
#define BH_MEM_HV_STATUS (1u << 5)
#define BH_MEM_FLAGS_KNOWN 0x3fu

/* bh_device.kind */
#define BH_DEVICE_MMIO 1u /* base/size_bytes are physical addresses, mapped 1:1 */
#define BH_DEVICE_PORT 2u /* base/size_bytes are x86 I/O port numbers */

/* bh_irq.flags */
#define BH_IRQ_LEVEL (1u << 0)
#define BH_IRQ_EDGE (1u << 1)
#define BH_IRQ_FLAGS_KNOWN 0x3u

/*
 * Interrupt numbers: arm64 = GIC INTID (SPI n is INTID 32+n), x86 = IOAPIC GSI.
 * Valid device interrupts: arm64 [32, 1020), x86 [0, 256).
 */
#define BH_ARM64_SGI_LIMIT 16u
#define BH_X86_FIRST_VECTOR 32u
#define BH_ARM64_FIRST_SPI 32u
#define BH_ARM64_INTID_LIMIT 1020u
#define BH_X86_GSI_LIMIT 256u

/*
 * An x86 cell's ACPI sleep registers (ACPI 6.4 sec. 4.8.3.7: the HW-reduced FADT's
 * SLEEP_CONTROL_REG and SLEEP_STATUS_REG, one byte each in system I/O space), which bhcfg lists
 * with an _S5 object of sleep type BH_X86_SLEEP_TYPE_S5 in a linux-x86 cell's ACPI tables. A byte
 * write of SLP_EN (bit 5) with that type (bits 4:2) to the control port stops the cell with exit
 * code 0, as PSCI SYSTEM_OFF does on arm64; any other access is an unowned port's.
 */
#define BH_X86_SLEEP_CONTROL_PORT 0xb00u
#define BH_X86_SLEEP_STATUS_PORT 0xb01u
#define BH_X86_SLEEP_TYPE_S5 5u

struct bh_range {
	uint64_t base;
	uint64_t size_bytes;
};
BH_STATIC_ASSERT_SIZE(struct bh_range, 16);

struct bh_console {
	uint32_t kind; /* BH_CONSOLE_* */
	uint32_t irq; /* interrupt number or BH_NONE; the hv polls */
	uint64_t base; /* MMIO physical address or I/O port */
	uint64_t size_bytes; /* bytes of MMIO or number of ports */
};
BH_STATIC_ASSERT_SIZE(struct bh_console, 24);

/* Where one record array sits: offset_bytes from the blob's first byte. */
struct bh_table {
	uint32_t count;
	uint32_t offset_bytes;
	uint32_t record_size_bytes; /* sizeof the record at this ABI version */
	uint32_t reserved; /* 0 */
};
BH_STATIC_ASSERT_SIZE(struct bh_table, 16);

struct bh_config_header {
	uint32_t magic; /* BH_CONFIG_MAGIC */
	uint32_t abi_version; /* BH_CONFIG_ABI_VERSION */
	uint32_t total_size_bytes; /* header + all tables, the whole blob */
	uint32_t crc32; /* CRC-32/IEEE of the blob with this field as 0 */
	uint32_t arch; /* BH_ARCH_* */
	uint32_t flags; /* 0; reserved for later versions */
	char platform[BH_NAME_LEN]; /* e.g. "qemu-arm64" */
	/* Host-physical memory only the hypervisor uses (its image, stacks, tables). */
	struct bh_range hv_memory;
	/*
	 * Host-physical memory the boot loader fills with the system image and
	 * the firmware DTB; no cell may overlap it (the hv copies out of it).
	 */
	struct bh_range loader_area;
	struct bh_console console;
	struct bh_table cells; /* struct bh_cell */
	struct bh_table regions; /* struct bh_mem_region */
	struct bh_table devices; /* struct bh_device */
	struct bh_table irqs; /* struct bh_irq */
	struct bh_table channels; /* struct bh_channel */
};
BH_STATIC_ASSERT_SIZE(struct bh_config_header, 192);

struct bh_cell {
	char name[BH_NAME_LEN];
	uint32_t flags; /* BH_CELL_* */
	uint32_t boot_protocol; /* BH_BOOT_* */
	uint32_t cpu_count; /* 1..BH_CELL_MAX_CPUS */
	uint32_t reserved0; /* 0 */
	/* MPIDR affinity (arm64) or APIC id (x86); cpu_hwid[0] is the cell's boot CPU. */
	uint64_t cpu_hwid[BH_CELL_MAX_CPUS];
	uint64_t entry_guest_phys; /* where the boot CPU starts */
	/* Indexes into the system image's item table, or BH_NONE. */
	uint32_t image_item;
	uint32_t dtb_item;
	uint32_t initrd_item;
	uint32_t reserved1; /* 0 */
	/* Guest-physical load addresses; meaningful when the item is not BH_NONE. */
	uint64_t image_guest_phys;
	uint64_t dtb_guest_phys;
	uint64_t initrd_guest_phys;
	/* This cell's records are [first, first + count) of each table. */
	uint32_t region_first;
	uint32_t region_count;
	uint32_t device_first;
	uint32_t device_count;
	uint32_t irq_first;
	uint32_t irq_count;
};
BH_STATIC_ASSERT_SIZE(struct bh_cell, 248);

struct bh_mem_region {
	uint64_t guest_phys; /* address the cell sees */
	uint64_t host_phys; /* address in the machine */
	uint64_t size_bytes; /* multiple of BH_PAGE_BYTES, > 0 */
	uint32_t cell; /* owning cell index */
	uint32_t flags; /* BH_MEM_* */
	uint32_t channel; /* channel index when BH_MEM_COMM, else BH_NONE */
	uint32_t reserved; /* 0 */
};
BH_STATIC_ASSERT_SIZE(struct bh_mem_region, 40);

struct bh_device {
	char name[BH_NAME_LEN]; /* unique within its cell */
	uint32_t cell; /* owning cell index */
	uint32_t kind; /* BH_DEVICE_MMIO or BH_DEVICE_PORT */
	uint64_t base; /* physical address (mapped 1:1) or first I/O port */
	uint64_t size_bytes; /* bytes, or number of ports */
	uint32_t irq_first; /* the device's interrupts: [irq_first, +irq_count) of irqs */
	uint32_t irq_count;
};
BH_STATIC_ASSERT_SIZE(struct bh_device, 64);

struct bh_irq {
	uint32_t cell; /* owning cell index */
	uint32_t number; /* GIC INTID or IOAPIC GSI */
	uint32_t flags; /* BH_IRQ_* */
	uint32_t device; /* index of the device this interrupt belongs to */
};
BH_STATIC_ASSERT_SIZE(struct bh_irq, 16);

struct bh_channel_endpoint {
	uint32_t cell; /* cell index */
	uint32_t access; /* BH_MEM_READ | BH_MEM_WRITE */
	uint64_t guest_phys; /* where this cell sees the channel */
};
BH_STATIC_ASSERT_SIZE(struct bh_channel_endpoint, 16);

struct bh_channel {
	char name[BH_NAME_LEN];
	uint64_t host_phys;
	uint64_t size_bytes; /* multiple of BH_PAGE_BYTES, > 0 */
	/*
	 * Interrupt raised in the other endpoints' cells on BH_HC_DOORBELL, or
	 * BH_NONE: an SGI INTID [0, 16) on arm64, a vector [32, 256) on x86.
	 */
	uint32_t doorbell_irq;
	uint32_t endpoint_count; /* 2..BH_CHANNEL_MAX_ENDPOINTS */
	struct bh_channel_endpoint endpoints[BH_CHANNEL_MAX_ENDPOINTS];
};
BH_STATIC_ASSERT_SIZE(struct bh_channel, 120);

#endif
