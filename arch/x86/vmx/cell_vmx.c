/*
 * The arch_cell_* hooks on x86 (VMX): per cell EPT tables from its regions
 * and channels, I/O bitmaps opening only the ports its devices own, an MSR
 * bitmap that makes every MSR access exit, and a VPID. Everything is
 * allocated from the page pool at boot and never changed afterwards.
 * A cell that drives its own local APIC (a realtime or a Linux cell,
 * vmx_cell_owns_lapic) also gets its CPUs' x2APIC and TSC-deadline MSRs
 * passed through, except writes of the ICR (vmx/msr.c checks them): its
 * LAPIC timer and its interrupts then reach it without an exit.
 * What is not built yet is refused here rather than half-honoured: a
 * channel with a doorbell and (arch_cell_assign_irq) IOAPIC interrupts. A
 * cell cannot be stopped from outside yet.
 */
#include <arch/arch_cell.h>
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <hv/page_pool.h>
#include <lib/string.h>
#include <vmx/linux_boot.h>
#include <vmx/vmx_cell.h>
#include <x86/layout.h>

/* MAXPHYADDR of the Bochs and server parts we aim at; abi/check refuses more (arch_rules.c). */
#define X86_HOST_PHYS_BITS 46
#define IO_PORTS_PER_BITMAP 0x8000u
/*
 * MSR bitmap quarters (SDM vol. 3 sec. 25.6.9): reads of 0..0x1fff, then of
 * 0xc0000000..0xc0001fff, then the writes in the same order.
 */
#define MSR_BITMAP_WRITE_LOW 2048u
#define MSR_X2APIC_FIRST 0x800u
#define MSR_X2APIC_LAST 0x8ffu
#define MSR_IA32_TSC_DEADLINE 0x6e0u

static struct vmx_cell vmx_cells[HV_MAX_CELLS];

static uint64_t *pool_page(void *ctx)
{
	(void)ctx;
	return page_pool_alloc();
}

static uint64_t pool_phys_of(void *ctx, const uint64_t *page)
{
	(void)ctx;
	return x86_image_phys(page);
}

/* Table pages come from the pool inside the image: their link address. */
static uint64_t *pool_page_at(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)(phys + X86_KERNEL_VMA);
}

static const struct ept_allocator pool_allocator = {
	.alloc = pool_page,
	.phys_of = pool_phys_of,
	.page_at = pool_page_at,
	.ctx = NULL,
};

const struct vmx_cell *vmx_cell_of(const struct cell *cell)
{
	return &vmx_cells[cell->id];
}

uint32_t arch_config_arch(void)
{
	return BH_ARCH_X86_64;
}

bool vmx_cell_owns_port(const struct cell *cell, uint32_t port)
{
	for (uint32_t i = 0; i < cell->desc->device_count; i++) {
		const struct bh_device *d = cell_device(cell, i);

		if (d->kind == BH_DEVICE_PORT && port >= d->base && port - d->base < d->size_bytes)
			return true;
	}
	return false;
}

/* Clears the exit bit of every port the cell's devices own. */
static void open_owned_ports(const struct cell *cell, struct vmx_cell *v)
{
	for (uint32_t port = 0; port <= 0xffff; port++) {
		if (!vmx_cell_owns_port(cell, port))
			continue;
		uint8_t *bitmap = port < IO_PORTS_PER_BITMAP ? v->io_bitmap_a : v->io_bitmap_b;
		uint32_t bit = port % IO_PORTS_PER_BITMAP;

		bitmap[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
	}
}

/* The first channel of the cell's that has a doorbell, or NULL. */
static const struct bh_channel *doorbell_channel(const struct cell *cell)
{
	const struct bh_config_header *cfg = cell->config;

	for (uint32_t c = 0; c < cfg->channels.count; c++) {
		const struct bh_channel *ch =
			(const void *)((const uint8_t *)cfg + cfg->channels.offset_bytes +
				       (size_t)c * cfg->channels.record_size_bytes);

		for (uint32_t e = 0; e < ch->endpoint_count && e < BH_CHANNEL_MAX_ENDPOINTS; e++)
			if (ch->endpoints[e].cell == cell->id && ch->doorbell_irq != BH_NONE)
				return ch;
	}
	return NULL;
}

/* What this x86 hypervisor cannot honour yet; 0 or -BH_ENOSYS after saying why. */
static int refuse_unbuilt(const struct cell *cell)
{
	const struct bh_channel *ch = doorbell_channel(cell);

	if (ch) {
		console_print("hv: cell \"%s\": channel \"%s\": doorbells are not implemented on "
			      "x86 yet\n",
			      cell_name(cell), ch->name);
		return -BH_ENOSYS;
	}
	return 0;
}

static void msr_pass(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
	if (read)
		bitmap[msr / 8] &= (uint8_t) ~(1u << (msr % 8));
	if (write)
		bitmap[MSR_BITMAP_WRITE_LOW + msr / 8] &= (uint8_t) ~(1u << (msr % 8));
}

/* A direct cell drives its own local APIC; only ICR writes could reach other CPUs. */
static void open_direct_msrs(uint8_t *bitmap)
{
	for (uint32_t msr = MSR_X2APIC_FIRST; msr <= MSR_X2APIC_LAST; msr++)
		msr_pass(bitmap, msr, true, msr != VMX_MSR_X2APIC_ICR);
	msr_pass(bitmap, MSR_IA32_TSC_DEADLINE, true, true);
}

int arch_cell_create(const struct cell *cell)
{
	struct vmx_cell *v = &vmx_cells[cell->id];
	int err = refuse_unbuilt(cell);

	if (err)
		return err;
	err = ept_init(&v->ept, X86_HOST_PHYS_BITS, &pool_allocator);

	if (err)
		return err;
	v->io_bitmap_a = page_pool_alloc();
	v->io_bitmap_b = page_pool_alloc();
	v->msr_bitmap = page_pool_alloc();
	if (!v->io_bitmap_a || !v->io_bitmap_b || !v->msr_bitmap)
		return -BH_ENOMEM;
	memset(v->io_bitmap_a, 0xff, HV_PAGE_BYTES);
	memset(v->io_bitmap_b, 0xff, HV_PAGE_BYTES);
	memset(v->msr_bitmap, 0xff, HV_PAGE_BYTES);
	open_owned_ports(cell, v);
	if (vmx_cell_owns_lapic(cell))
		open_direct_msrs(v->msr_bitmap);
	v->vpid = (uint16_t)(cell->id + 1);
	return 0;
}

int arch_cell_map(const struct cell *cell, uint64_t guest_phys, uint64_t host_phys,
		  uint64_t size_bytes, uint32_t flags)
{
	return ept_map(&vmx_cells[cell->id].ept, guest_phys, host_phys, size_bytes,
		       ept_leaf_bits(flags));
}

int arch_cell_assign_irq(const struct cell *cell, uint32_t number, uint32_t flags)
{
	(void)flags;
	console_print("hv: cell \"%s\": IOAPIC GSI %u: interrupt routing is not implemented on "
		      "x86 yet\n",
		      cell_name(cell), number);
	return -BH_ENOSYS;
}

int arch_cell_map_irqchip(const struct cell *cell)
{
	(void)cell; /* the local APIC is not passed through yet */
	return 0;
}

void arch_direct_reserved_range(uint64_t *base, uint64_t *size_bytes)
{
	*base = 0;
	*size_bytes = 0;
}

uint64_t arch_hv_phys(const void *object)
{
	return x86_image_phys(object);
}

void arch_cell_fill_boot_info(const struct cell *cell, struct bh_boot_info *info)
{
	(void)cell, (void)info; /* no interrupt controller addresses to pass yet */
}

void arch_cell_send_doorbell(const struct cell *cell, uint32_t number)
{
	(void)cell, (void)number; /* never called: arch_cell_create refuses doorbell channels */
}

void arch_cell_request_stop(const struct cell *cell)
{
	/*
	 * A cell's CPUs leave it at their next exit (vmx/exit.c checks the
	 * state); nothing forces an exit yet (the NMI doorbell is planned).
	 */
	(void)cell;
}
