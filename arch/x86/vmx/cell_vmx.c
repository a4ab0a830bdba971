/*
 * The arch_cell_* hooks on x86 (VMX): per cell EPT tables from its regions
 * and channels, I/O bitmaps opening only the ports its devices own, an MSR
 * bitmap that makes every MSR access exit, and a VPID. Everything is
 * allocated from the page pool at boot and never changed afterwards.
 * A cell that drives its own local APIC (a realtime or a Linux cell,
 * vmx_cell_owns_lapic) also gets its CPUs' x2APIC and TSC-deadline MSRs
 * passed through, except writes of the ICR (vmx/msr.c checks them): its
 * LAPIC timer and its interrupts then reach it without an exit.
 * IOAPIC pins are the cell's to program through the filter
 * (vmx/ioapic_filter.c); doorbells, the mailbox's too, are IPIs. A
 * virtual-mode cell cannot be stopped from outside yet.
 */
#include <arch/arch_cell.h>
#include <bulkhead/bootinfo.h>
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <hv/page_pool.h>
#include <lib/strerror.h>
#include <lib/string.h>
#include <vmx/linux_boot.h>
#include <vmx/vmx_cell.h>
#include <x86/ioapic.h>
#include <x86/lapic.h>
#include <x86/layout.h>

/* MAXPHYADDR of the Bochs and server parts we aim at; abi/check refuses more (arch_rules.c). */
#define X86_HOST_PHYS_BITS 46
#define IO_PORTS_PER_BITMAP 0x8000u
/*
 * MSR bitmap quarters (SDM vol. 3 sec. 25.6.9): reads of 0..0x1fff, then of
 * 0xc0000000..0xc0001fff, then the writes in the same order.
 */
#define MSR_BITMAP_WRITE_LOW 2048u

static struct vmx_cell vmx_cells[HV_MAX_CELLS];

/* EPT tables come from the page pool inside the image. */
static struct ept_pool ept_pool;

static const struct ept_pool *ept_pool_of_image(void)
{
	if (!ept_pool.pages) {
		ept_pool.pages = page_pool_pages();
		ept_pool.count = HV_PAGE_POOL_PAGES;
		ept_pool.next = page_pool_next();
		ept_pool.phys_base = x86_image_phys(ept_pool.pages);
	}
	return &ept_pool;
}

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
	const struct vmx_msr_pass *pass = vmx_direct_msr_pass;

	for (size_t i = 0; i < sizeof(vmx_direct_msr_pass) / sizeof(pass[0]); i++)
		for (uint32_t msr = pass[i].first; msr <= pass[i].last; msr++)
			msr_pass(bitmap, msr, pass[i].read, pass[i].write);
}

int arch_cell_create(const struct cell *cell)
{
	struct vmx_cell *v = &vmx_cells[cell->id];
	int err = ept_init(&v->ept, X86_HOST_PHYS_BITS, ept_pool_of_image());

	if (err)
		return err;
	v->io_bitmap_a = page_pool_alloc();
	v->io_bitmap_b = page_pool_alloc();
	v->msr_bitmap = page_pool_alloc();
	if (!v->io_bitmap_a || !v->io_bitmap_b || !v->msr_bitmap)
		return -BH_ENOMEM;
	memset(v->io_bitmap_a, VMX_BITMAP_ALL_EXIT, HV_PAGE_BYTES);
	memset(v->io_bitmap_b, VMX_BITMAP_ALL_EXIT, HV_PAGE_BYTES);
	memset(v->msr_bitmap, VMX_BITMAP_ALL_EXIT, HV_PAGE_BYTES);
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

/*
 * An IOAPIC pin for the cell: it programs the pin itself through the
 * filter (vmx/ioapic_filter.c), which checks ownership against the config;
 * here the pin only has to exist, and starts masked.
 */
int arch_cell_assign_irq(const struct cell *cell, uint32_t number, uint32_t flags)
{
	unsigned int pins = x86_ioapic_pins();

	(void)flags;
	if (number >= pins) {
		console_print("hv: cell \"%s\": IOAPIC GSI %u: the IOAPIC has only %u pins\n",
			      cell_name(cell), number, pins);
		return -BH_ERANGE;
	}
	x86_ioapic_write(IOAPIC_REG_REDIRECTION + 2 * number, IOAPIC_ENTRY_MASKED);
	return 0;
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

/*
 * A channel's doorbell is an IPI of its vector (abi/check: 32..255) to the
 * cell's boot CPU. No cell takes external-interrupt exits, so it arrives in
 * the cell's own IDT without an exit there, realtime cell or not.
 */
void arch_cell_send_doorbell(const struct cell *cell, uint32_t number)
{
	int err = x86_lapic_send_fixed((uint32_t)cell->desc->cpu_hwid[0], number);

	if (err)
		console_print("hv: cell \"%s\": doorbell vector %u not sent: %s\n", cell_name(cell),
			      number, bh_strerror(err));
}

void arch_cell_reset_interrupts(const struct cell *cell)
{
	(void)cell; /* never called: the validator refuses restart-on-reset on x86 */
}

/*
 * A direct cell is asked through its boot-info mailbox and the mailbox
 * doorbell vector, as on arm64 (cooperative: its kernel answers with
 * BH_HC_MAILBOX_ACK). Any other cell's CPUs leave it at their next exit
 * (vmx/exit.c checks the state); nothing forces an exit yet.
 */
void arch_cell_request_stop(const struct cell *cell)
{
	struct bh_boot_info *info = cell->boot_info;

	if (!(cell->desc->flags & BH_CELL_REALTIME) || !info)
		return;
	/* Cell memory, coherent on x86: the command is in place before the doorbell rings. */
	__atomic_store_n(&info->mailbox.command, BH_MAILBOX_STOP, __ATOMIC_RELAXED);
	__atomic_add_fetch(&info->mailbox.sequence, 1, __ATOMIC_RELEASE);
	arch_cell_send_doorbell(cell, BH_X86_MAILBOX_DOORBELL_VECTOR);
}
