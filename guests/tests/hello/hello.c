/*
 * hello: prints its boot info line by line and what its CPU says about
 * itself (hello_arch.h: exception level and MPIDR on arm64, CPU mode, APIC id
 * and Bulkhead's CPUID leaf on x86-64), rings its doorbells, then exits 0.
 * It fails (exit 1) when the arch part finds itself on the wrong CPU or in
 * the wrong mode; the runtime already checked the record.
 */
#include "hello_arch.h"
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>

static const char *region_flag_names(uint32_t flags, char *buf, unsigned int size)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{ BH_REGION_READ, "read" }, { BH_REGION_WRITE, "write" },
		{ BH_REGION_EXEC, "exec" }, { BH_REGION_DEVICE, "device" },
		{ BH_REGION_COMM, "comm" },
	};
	unsigned int len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].flag))
			continue;
		for (const char *s = len ? " " : ""; *s && len + 1 < size; s++)
			buf[len++] = *s;
		for (const char *s = names[i].name; *s && len + 1 < size; s++)
			buf[len++] = *s;
		buf[len] = '\0';
	}
	return len ? buf : "none";
}

/* cell_name is a fixed array: print it even if the hypervisor left no terminator. */
static void copy_name(char *dst, const char *src, unsigned int size)
{
	unsigned int i = 0;

	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* "returned 0", or "returned -2 (no such object)" for an error. */
static void print_doorbell_result(uint32_t channel, const char *what, int64_t result)
{
	if (result < 0)
		console_printf("hello: doorbell of channel %u %s: returned %ld (%s)\n", channel,
			       what, result, bh_hypercall_strerror(result));
	else
		console_printf("hello: doorbell of channel %u %s: returned %ld\n", channel, what,
			       result);
}

/*
 * Rings each of its channels' doorbells three times (BH_HC_DOORBELL takes the
 * index in this list), then one index past the list, which must be refused.
 */
static void ring_doorbells(const struct bh_boot_info *info)
{
	for (uint32_t i = 0; i < info->channel_count; i++) {
		if (info->channels[i].doorbell_intid == BH_BOOT_NO_DOORBELL)
			continue;
		int64_t result = 0;

		for (int k = 0; k < 3 && result == 0; k++)
			result = bh_hypercall(BH_HC_DOORBELL, i, 0, 0, 0, 0);
		print_doorbell_result(i, "rung 3 times", result);
	}
	if (info->channel_count)
		print_doorbell_result(
			info->channel_count, "(none)",
			bh_hypercall(BH_HC_DOORBELL, info->channel_count, 0, 0, 0, 0));
}

int guest_main(const struct bh_boot_info *info)
{
	char name[33];
	char flag_text[48];
	int result = 0;

	copy_name(name, info->cell_name, sizeof(name));
	uint64_t info_ipa = (uint64_t)(uintptr_t)info;
	/* The protocol puts the record in the last page of the first region. */
	bool in_last_page = info->region_count > 0 &&
			    info_ipa == info->regions[0].guest_phys + info->regions[0].size_bytes -
						BH_BOOTINFO_PAGE_BYTES;

	console_printf("boot info: 0x%lx version %u size %u%s\n", info_ipa, info->version,
		       info->size_bytes,
		       in_last_page ? " (last page of region 0)"
				    : " (NOT in the last page of region 0)");
	console_printf("cell: id %u name %s\n", info->cell_id, name);
	console_printf("flags: 0x%x%s\n", info->flags,
		       (info->flags & BH_BOOT_REALTIME) ? " realtime" : "");

	if (hello_check_cpu(info) != 0)
		result = 1;

	console_printf("regions: %u\n", info->region_count);
	for (uint32_t i = 0; i < info->region_count; i++) {
		const struct bh_boot_region *r = &info->regions[i];

		console_printf("region %u: [0x%lx, +0x%lx) flags 0x%x %s\n", i, r->guest_phys,
			       r->size_bytes, r->flags,
			       region_flag_names(r->flags, flag_text, sizeof(flag_text)));
	}

	console_printf("channels: %u\n", info->channel_count);
	for (uint32_t i = 0; i < info->channel_count; i++) {
		const struct bh_boot_channel *c = &info->channels[i];
		char channel_name[17];

		copy_name(channel_name, c->name, sizeof(channel_name));
		console_printf("channel %u: %s [0x%lx, +0x%lx) doorbell %u flags 0x%x %s\n", i,
			       channel_name, c->guest_phys, c->size_bytes, c->doorbell_intid,
			       c->flags, region_flag_names(c->flags, flag_text, sizeof(flag_text)));
	}

	console_printf("irqs: %u\n", info->irq_count);
	for (uint32_t i = 0; i < info->irq_count; i++)
		console_printf("irq %u: intid %u\n", i, info->irqs[i]);

	hello_print_irqchip(info);
	console_printf("mailbox: command %u sequence %u acked %u\n", info->mailbox.command,
		       info->mailbox.sequence, info->mailbox.acked);
	ring_doorbells(info);
	console_printf("hello: done, exit %d\n", result);
	return result;
}
