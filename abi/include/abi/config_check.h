/*
 * Validators for the boot inputs: the binary config (bulkhead/config.h) and
 * the system image (bulkhead/sysimage.h). The same code runs in bhcfg (host)
 * and in the hypervisor at boot; a blob that passes is safe to index without
 * further bounds checks. Neither function needs the platform's device tree:
 * rules that do (CPU exists, RAM exists, device exists) are bhcfg's.
 */
#ifndef BH_ABI_CONFIG_CHECK_H
#define BH_ABI_CONFIG_CHECK_H

#include <lib/types.h>

struct bh_mem_region;

/* Error classes, returned negated; the first problem found decides the return value. */
enum config_error {
	CONFIG_OK = 0,
	CONFIG_E_ALIGN = 1, /* blob not 8-byte aligned in memory */
	CONFIG_E_TRUNCATED, /* shorter than its header or its size field says */
	CONFIG_E_MAGIC,
	CONFIG_E_VERSION,
	CONFIG_E_CRC,
	CONFIG_E_ARCH,
	CONFIG_E_LAYOUT, /* table offsets, counts, record sizes, reserved fields */
	CONFIG_E_NAME, /* empty, unterminated or duplicate name */
	CONFIG_E_CPU, /* no CPU, too many, or a CPU listed twice */
	CONFIG_E_REALTIME, /* a realtime cell shares a CPU */
	CONFIG_E_BOOT, /* boot protocol unknown or not for this arch */
	CONFIG_E_FLAGS, /* unknown flag bits */
	CONFIG_E_OWNER, /* a record's cell/device index disagrees with its owner */
	CONFIG_E_SIZE, /* zero size or address + size wraps */
	CONFIG_E_MISALIGNED, /* address or size not a multiple of 4 KiB */
	CONFIG_E_OVERLAP, /* memory or device shared between cells without a channel */
	CONFIG_E_HV_MEMORY, /* overlaps the hypervisor's memory or the loader area */
	CONFIG_E_IRQ, /* interrupt out of range or owned twice */
	CONFIG_E_LOAD, /* entry or load address not inside the cell's memory */
	CONFIG_E_CHANNEL, /* channel endpoints, access or mapping inconsistent */
	CONFIG_E_ITEM, /* system image item bad or wrongly referenced */
	CONFIG_E_LIMIT, /* more records than the hypervisor supports */
	CONFIG_E_ADDRESS, /* beyond the physical or stage-2 input address space */
};

/* Which record a problem is about (config_problem.table). */
enum config_table {
	CONFIG_AT_HEADER = 0,
	CONFIG_AT_CELL,
	CONFIG_AT_REGION,
	CONFIG_AT_DEVICE,
	CONFIG_AT_IRQ,
	CONFIG_AT_CHANNEL,
	CONFIG_AT_ITEM,
};

/*
 * Table size limits: they bound the hypervisor's boot-time checking work.
 * CONFIG_MAX_CELLS is also the hypervisor's own cell table (HV_MAX_CELLS is
 * defined as it) and the status page's (BH_HV_STATUS_MAX_CELLS).
 */
#define CONFIG_MAX_CELLS 8u
#define CONFIG_MAX_REGIONS 512u
#define CONFIG_MAX_DEVICES 256u
#define CONFIG_MAX_IRQS 1024u
#define CONFIG_MAX_CHANNELS 64u

struct config_problem {
	int error; /* enum config_error, positive */
	unsigned int table; /* enum config_table */
	unsigned int index; /* record index in that table (global, not per cell) */
	const char *field; /* the ABI field at fault, e.g. "host_phys" */
	int endpoint; /* CONFIG_AT_CHANNEL: the endpoint at fault, or -1 for the channel */
	const char *message; /* complete sentence naming objects and values */
};

/* Called once per problem found; the message is valid during the call only. */
typedef void (*config_report_fn)(void *ctx, const struct config_problem *problem);

/*
 * Checks a binary config. `expected_arch` is BH_ARCH_* (0 accepts either).
 * Reports every problem it finds (structural ones stop the walk) and returns
 * 0 or the first problem's negated error.
 */
int config_check_report(const void *blob, size_t size, uint32_t expected_arch,
			config_report_fn report, void *ctx);

/* As above; the first problem's message goes to `why` (may be NULL). */
int config_check(const void *blob, size_t size, uint32_t expected_arch, char *why, size_t why_size);

/*
 * Checks a system image: header, item table, every item's bounds and CRC,
 * then the CONFIG item with config_check, then that every cell's image, DTB
 * and initrd references name an item of the right kind and cell, and that
 * each fits the cell's memory at its load address.
 */
int sysimage_check_report(const void *image, size_t size, uint32_t expected_arch,
			  config_report_fn report, void *ctx);

int sysimage_check(const void *image, size_t size, uint32_t expected_arch, char *why,
		   size_t why_size);

/* The CONFIG item of an image that passed sysimage_check. */
const void *sysimage_config(const void *image, size_t *config_size);

/*
 * Where the hypervisor writes a native cell's boot info (bulkhead/bootinfo.h):
 * the last page of the cell's first region. The validator requires that
 * region to be writable RAM and the page to be clear of everything loaded.
 */
uint64_t config_boot_info_guest_phys(const struct bh_mem_region *first_region);

/*
 * Checks a config that passed config_check against a range of guest-physical
 * addresses the hypervisor maps into every realtime (direct) cell itself:
 * on arm64 the GIC redistributor frames, known only from the platform's
 * device tree. No region of a realtime cell may overlap it. bhcfg runs it
 * with the platform DTB's range, the hypervisor with the one it found at boot.
 */
int config_check_direct_reserved(const void *blob, size_t size, uint64_t base, uint64_t size_bytes,
				 config_report_fn report, void *ctx);

/* As above; the first problem's message goes to `why` (may be NULL). */
int config_check_direct_reserved_why(const void *blob, size_t size, uint64_t base,
				     uint64_t size_bytes, char *why, size_t why_size);

/* A host-physical range the running hypervisor keeps for itself. */
struct config_owned_range {
	uint64_t base;
	uint64_t size_bytes;
	const char *what; /* names it in a message, e.g. "the GIC distributor" */
};

/*
 * What the hypervisor knows about the machine it runs on, for the rules that
 * need it: the direct-reserved guest range above, and the host ranges it
 * owns (interrupt controller frames, its own image, the system image it was
 * handed). bhcfg checks the description against the platform DTB instead;
 * this lets the hypervisor refuse a hand-made config that bhcfg never saw.
 */
struct config_machine {
	uint64_t direct_reserved_base, direct_reserved_size; /* size 0: none */
	const struct config_owned_range *owned;
	unsigned int owned_count;
};

/*
 * Checks a config against the machine: config_check first, then the
 * direct-reserved rule, then that no host range a cell gets mapped (RAM and
 * device regions, channels, MMIO devices) overlaps an owned range.
 */
int config_check_machine(const void *blob, size_t size, const struct config_machine *machine,
			 config_report_fn report, void *ctx);

/* As above; the first problem's message goes to `why` (may be NULL). */
int config_check_machine_why(const void *blob, size_t size, const struct config_machine *machine,
			     char *why, size_t why_size);

#endif
