/*
 * Hypercalls (bulkhead/hypercall.h). Every argument is untrusted: pointers
 * must lie wholly in the caller's own RAM or channel regions with the needed
 * right, lengths are bounded, indexes are range-checked. A bad call gets an
 * error code and the cell keeps running.
 */
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <bulkhead/hypercall.h>
#include <hv/cell_restart.h>
#include <hv/console.h>
#include <hv/cpu_map.h>
#include <hv/doorbell.h>
#include <hv/guest_mem.h>
#include <hv/hypercall.h>
#include <hv/platform.h>
#include <hv/stats.h>
#include <hv/system.h>
#include <lib/string.h>

bool hcall_is_bulkhead(uint64_t function)
{
	return (function & 0xffff0000u) == BH_HC_BASE;
}

static int64_t console_write(struct cell *cell, uint64_t ipa, uint64_t len)
{
	char text[BH_CONSOLE_WRITE_MAX + 1];

	if (len > BH_CONSOLE_WRITE_MAX)
		return -BH_E2BIG;
	if (len == 0)
		return 0;
	const char *src = guest_mem_range(cell, ipa, len, BH_MEM_READ);

	if (!src)
		return -BH_EFAULT;
	/* Copy first: the cell may change its buffer while we print. */
	guest_mem_read(text, src, len);
	text[len] = '\0';
	/* Control characters other than newline and tab would confuse log readers. */
	for (uint64_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n' && text[i] != '\t')
			text[i] = '?';
	console_write_prefixed(cell_name(cell), text, (size_t)len);
	return (int64_t)len;
}

static int64_t cell_info(struct cell *caller, uint64_t id, uint64_t ipa, uint64_t size)
{
	struct cell *cell = id == BH_CELL_SELF ? caller : cell_by_id((unsigned int)id);
	struct bh_cell_info info;

	if (id != BH_CELL_SELF && id >= cell_count())
		return -BH_ENOENT;
	if (size < sizeof(info))
		return -BH_EINVAL;
	struct bh_cell_info *dst = guest_mem_range(caller, ipa, sizeof(info), BH_MEM_WRITE);

	if (!dst)
		return -BH_EFAULT;
	memset(&info, 0, sizeof(info));
	info.cell_id = cell->id;
	info.state = (uint32_t)__atomic_load_n(&cell->state, __ATOMIC_ACQUIRE);
	strlcpy(info.name, cell_name(cell), sizeof(info.name));
	info.flags = cell->desc->flags;
	info.cpu_count = cell->desc->cpu_count;
	info.cpu_mask = cell->cpu_mask;
	info.memory_bytes = cell_memory_bytes(cell);
	info.exit_code = cell->exit_code;
	info.cell_count = cell_count();
	guest_mem_write(dst, &info, sizeof(info));
	return 0;
}

static int64_t cpu_stats(struct cell *caller, uint64_t cpu, uint64_t ipa, uint64_t size)
{
	const struct bh_cpu_stats *s = cpu < HV_MAX_CPUS ? stats_of_cpu((unsigned int)cpu) : NULL;

	if (!s || !cpu_map_exists((unsigned int)cpu))
		return -BH_ENOENT;
	if (size < sizeof(*s))
		return -BH_EINVAL;
	void *dst = guest_mem_range(caller, ipa, sizeof(*s), BH_MEM_WRITE);

	if (!dst)
		return -BH_EFAULT;
	guest_mem_write(dst, s, sizeof(*s));
	return 0;
}

static const struct bh_channel *channel_record(const struct bh_config_header *cfg, uint32_t i)
{
	return (const void *)((const uint8_t *)cfg + cfg->channels.offset_bytes +
			      (size_t)i * cfg->channels.record_size_bytes);
}

static bool is_endpoint(const struct bh_channel *ch, unsigned int cell_id)
{
	for (uint32_t e = 0; e < ch->endpoint_count; e++)
		if (ch->endpoints[e].cell == cell_id)
			return true;
	return false;
}

/*
 * The caller's n-th channel, counting only channels it is an endpoint of, in
 * config order: the same order as its boot info lists them.
 */
static const struct bh_channel *own_channel(const struct cell *caller, uint64_t n)
{
	const struct bh_config_header *cfg = caller->config;

	for (uint32_t i = 0; i < cfg->channels.count; i++) {
		const struct bh_channel *ch = channel_record(cfg, i);

		if (is_endpoint(ch, caller->id) && n-- == 0)
			return ch;
	}
	return NULL;
}

/* Rings a channel's doorbell in every other endpoint's cell (hv/doorbell.h). */
static int64_t doorbell(struct cell *caller, uint64_t index)
{
	const struct bh_channel *ch = own_channel(caller, index);

	if (!ch)
		return -BH_ENOENT;
	if (ch->doorbell_irq == BH_NONE)
		return -BH_EINVAL;
	return doorbell_ring_peers(caller, ch);
}

static int64_t mailbox_ack(struct cell *cell)
{
	struct bh_boot_info *info = cell->boot_info;

	if (!info)
		return -BH_EINVAL;
	/*
	 * The mailbox lives in cell memory, which the cell may read with its
	 * caches off (hv/guest_mem.h). Field by field, not a copy of the whole
	 * record: another CPU may be posting a command at the same time.
	 */
	arch_cache_clean_inval_range(&info->mailbox, sizeof(info->mailbox));
	uint32_t seq = __atomic_load_n(&info->mailbox.sequence, __ATOMIC_ACQUIRE);

	__atomic_store_n(&info->mailbox.acked, seq, __ATOMIC_RELEASE);
	arch_cache_clean_range(&info->mailbox, sizeof(info->mailbox));
	if (__atomic_load_n(&info->mailbox.command, __ATOMIC_RELAXED) == BH_MAILBOX_STOP)
		system_stop_cell(cell, 0);
	return 0;
}

int64_t hcall_dispatch(struct cell *cell, unsigned int cpu, uint64_t function,
		       const uint64_t args[5])
{
	(void)cpu;
	switch (function) {
	case BH_HC_CONSOLE_WRITE:
		return console_write(cell, args[0], args[1]);
	case BH_HC_CELL_INFO:
		return cell_info(cell, args[0], args[1], args[2]);
	case BH_HC_CPU_STATS:
		return cpu_stats(cell, args[0], args[1], args[2]);
	case BH_HC_MAILBOX_ACK:
		return mailbox_ack(cell);
	case BH_HC_CELL_EXIT:
		system_stop_cell(cell, (int)(int64_t)args[0]);
		return 0;
	case BH_HC_DOORBELL:
		return doorbell(cell, args[0]);
	case BH_HC_CELL_RESTART:
		return cell_restart_request(cell, args[0]);
	default:
		return -BH_ENOSYS;
	}
}
