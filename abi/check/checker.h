/*
 * The validator's private state and the helpers its per-table files share.
 * Not part of the ABI: only the files of abi/check/ include it. Each check_* function
 * reports every problem it finds through check_problem(); functions returning bool
 * return false when a structural problem makes later rules unsafe to run.
 */
#ifndef BH_ABI_CHECKER_H
#define BH_ABI_CHECKER_H

#include <abi/config_check.h>
#include <bulkhead/config.h>

/*
 * What differs between architectures, chosen once from the header's arch so
 * that no rule asks which architecture it runs for (arch_rules.c).
 */
struct check_arch_rules {
	uint32_t arch; /* BH_ARCH_* */
	const char *name; /* "arm64", "x86_64" */
	uint32_t console_kind; /* the BH_CONSOLE_* this arch's hypervisor drives */
	uint32_t linux_boot_protocol; /* BH_BOOT_LINUX_* for this arch */
	/*
	 * The Linux boot protocol's placement rules (0: none). arm64
	 * (Documentation/arm64/booting.rst): the Image carries a header giving
	 * text_offset and image_size (BSS included); it goes text_offset bytes
	 * above a 2 MiB-aligned address; the DTB is 8-byte aligned, <= 2 MiB.
	 */
	bool linux_image_header; /* the arm64 Image header is read */
	uint64_t linux_image_align;
	uint64_t linux_dtb_align;
	uint64_t linux_dtb_max_bytes;
	/* Names what the hypervisor maps into a realtime cell itself. */
	const char *direct_reserved_what;
	bool port_devices; /* BH_DEVICE_PORT ranges exist */
	bool initrd_needs_dtb; /* an initrd is announced through the DTB */
	uint32_t irq_first, irq_limit; /* assignable interrupt numbers [first, limit) */
	const char *irq_expected; /* says the range above in a message */
	uint32_t doorbell_first, doorbell_limit; /* doorbell numbers [first, limit) */
	const char *doorbell_expected;
	/*
	 * Address-space sizes in bits: every host-physical range must end at or
	 * below 2^pa_bits, every guest-physical one at or below 2^ipa_bits (the
	 * stage-2/EPT input size). Beyond them a page-table entry could only
	 * drop the high bits and alias low memory (docs/design.md, I2).
	 */
	unsigned int pa_bits, ipa_bits;
	/* Numbers in that range Bulkhead uses itself, and what for; number BH_NONE ends. */
	struct check_reserved_doorbell {
		uint32_t number;
		const char *use;
	} reserved_doorbells[4];
	/* How a cell asks to be reset (BH_CELL_RESTART_ON_RESET), or NULL where it cannot yet. */
	const char *cell_reset_request;
	/* I/O ports the hypervisor handles itself, never a cell's (count 0: none). */
	struct check_reserved_ports {
		uint32_t first, count;
		const char *use;
	} reserved_ports;
};

/* The rules for `arch`, or NULL when the architecture is unknown. */
const struct check_arch_rules *check_arch_rules(uint32_t arch);

struct checker {
	const uint8_t *blob;
	uint32_t size;
	uint32_t arch;
	const struct check_arch_rules *rules; /* set once the header is checked */
	const struct bh_config_header *hdr;
	/*
	 * Each table's first byte in the blob and its record count, as
	 * check_header admitted them; records are read through cell_at() and
	 * its siblings (records.c), never by indexing a pointer.
	 */
	uint32_t cells_offset, regions_offset, devices_offset, irqs_offset, channels_offset;
	uint32_t cell_count, region_count, device_count, irq_count, channel_count;
	config_report_fn report;
	void *ctx;
	int first_error;
};

void check_problem(struct checker *c, int error, unsigned int table, unsigned int index,
		   const char *field, const char *fmt, ...) printf_like(6, 7);

/* A problem of endpoint e of channel ch_index (bhcfg names the endpoint's node). */
void check_endpoint_problem(struct checker *c, int error, uint32_t ch_index, uint32_t e,
			    const char *field, const char *fmt, ...) printf_like(6, 7);

/* A printable copy of a fixed-size name, safe even when unterminated. */
struct shown_name {
	char text[BH_NAME_LEN + 1];
};

struct shown_name show_name(const char *name);
bool name_valid(const char *name);

/*
 * Record i of a table (records.c). An index past the table is a checker bug:
 * it is reported, the config is refused, and an all-zero record comes back.
 */
const struct bh_cell *cell_at(struct checker *c, uint32_t i);
const struct bh_mem_region *region_at(struct checker *c, uint32_t r);
const struct bh_device *device_at(struct checker *c, uint32_t d);
const struct bh_irq *irq_at(struct checker *c, uint32_t q);
const struct bh_channel *channel_at(struct checker *c, uint32_t k);

#define CELL_NAME(c, i) (show_name(cell_at((c), (i))->name).text)

/*
 * How a message names memory region r. A region the user wrote is
 * `cell "rt": region 0` (as a subject) or `cell "rt" region 0`; a channel
 * endpoint's region, which the user never wrote, is named by its channel:
 * `channel "telemetry" in cell "rt"`.
 */
struct region_label {
	char text[2 * BH_NAME_LEN + 48];
};

struct region_label region_label(struct checker *c, uint32_t r, bool subject);

/*
 * True when region r is exactly the mapping of one endpoint of its channel
 * (same cell, guest address, host address and size): check_channel then
 * reports a bad range once, at the channel, rather than once per endpoint.
 */
bool region_mirrors_channel(struct checker *c, uint32_t r);

/* True when r mirrors its channel and an earlier region mirrors the same one. */
bool channel_mapped_before(struct checker *c, uint32_t r);

/* [base, base + size) is non-empty and does not wrap past 2^64. */
static inline bool range_ok(uint64_t base, uint64_t size)
{
	return size != 0 && base + size - 1 >= base;
}

/* Index i lies in the slice [first, +count) of a table, even when first + count wraps. */
static inline bool in_slice(uint32_t i, uint32_t first, uint32_t count)
{
	return i >= first && i - first < count;
}

/* Both ranges must already satisfy range_ok. */
static inline bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a <= b + (b_size - 1) && b <= a + (a_size - 1);
}

static inline bool page_aligned(uint64_t v)
{
	return (v & (BH_PAGE_BYTES - 1)) == 0;
}

/* Which address space beyond_address_space() checks a range against. */
enum check_space { CHECK_HOST, CHECK_GUEST };

/*
 * True (and reported) when [base, +size), which must satisfy range_ok, ends
 * beyond the architecture's physical (host) or stage-2 input (guest) address
 * space. `what` names the object, e.g. `cell "linux": region 2`.
 */
bool beyond_address_space(struct checker *c, unsigned int table, unsigned int index,
			  const char *field, const char *what, enum check_space space,
			  uint64_t base, uint64_t size);

/* True (and reported) when a host range overlaps hypervisor memory or the loader area. */
bool hits_hv_memory(struct checker *c, unsigned int table, unsigned int index, const char *field,
		    const char *what, uint64_t base, uint64_t size);

/* Index within cell i of its RAM region (no device, channel or status) holding
 * [addr, +size) with at least need_flags, or -1. */
int cell_ram_region_at(struct checker *c, uint32_t i, uint64_t addr, uint64_t size,
		       uint32_t need_flags);

/* Per table, in the order run_config_check calls them. */
bool check_header(struct checker *c, const void *blob, size_t size);
void check_machine_ranges(struct checker *c);
bool check_cells_structure(struct checker *c);
void check_cell_names(struct checker *c);
void check_cell_cpus(struct checker *c, uint32_t i);
void check_cell_boot(struct checker *c, uint32_t i);
void check_regions(struct checker *c);
void check_devices(struct checker *c);
void check_irqs(struct checker *c);
void check_channel(struct checker *c, uint32_t ch_index);

/* Runs every config rule on `blob` with c's arch and report already set. */
int run_config_check(struct checker *c, const void *blob, size_t size);

/* A config_report_fn keeping the first message for config_check/sysimage_check. */
struct checker_first_message {
	char *why;
	size_t why_size;
	bool written;
};
void checker_keep_first_message(void *ctx, const struct config_problem *p);

#endif
