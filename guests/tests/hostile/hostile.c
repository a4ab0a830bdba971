/*
 * hostile: tries to break every isolation boundary a cell has (memory,
 * distributor, redistributor, SGIs, PSCI, hypercall arguments) and prints
 * one line per attempt, "hostile: <attempt>: <result>", then "hostile: done"
 * and exits 0. It judges nothing: the system test reads the lines and checks
 * the victims. Faults are expected: probe.S instructions resume at +4.
 */
#include <guest/boot_info_check.h>
#include <guest/console.h>
#include <guest/gicv3.h>
#include <guest/hypercall.h>
#include <guest/psci.h>
#include <guest/runtime.h>
#include <guest/sysreg.h>
#include <guest/timer.h>
#include <lib/format.h>

#include "hostile.h"

/* QEMU virt: flash at 0, which no cell owns. */
#define UNASSIGNED_MEMORY 0x0ul
/* QEMU virt: CPU k's redistributor is at this + k * 128 KiB. */
#define QEMU_VIRT_GICR_BASE 0x080a0000ul
#define QEMU_VIRT_GICR_STRIDE 0x20000ul
/* PL011 on QEMU virt: SPI 1. */
#define FOREIGN_SPI 33u
/* hostile.dts gives the attacker virtio-mmio transports 24-31 and their last SPI. */
#define OWN_SPI 79u
/* ticker.c counts this SGI as a foreign one. */
#define ATTACK_SGI 15u
#define MARKER 0x686f7374696c6521ull /* "hostile!" */
#define ATTEMPT_TEXT_MAX HOSTILE_TEXT_MAX

void probe_enable_icc_sre(void);
extern char __probe_start[], __probe_end[];

/*
 * Set by the exception hook while an attempt is armed; one CPU (the boot
 * CPU) makes attempts, and the hook runs on the CPU that faulted.
 */
static volatile struct {
	bool armed;
	bool faulted;
	bool serror;
	uint64_t esr;
	uint64_t far;
	uint64_t elr;
} probe;

static const struct bh_boot_info *info;

/* In the loaded image, where the host finds and patches it. */
__attribute__((used)) volatile struct hostile_params hostile_params = {
	.magic = "BH-HOSTILE-PARM",
	.seed = 1,
	.calls = 0,
	.catalogue = 0,
};

/*
 * Set while cpu 1 is started at the hypervisor's address: the instruction
 * abort the hypervisor injects arrives in our own vector on cpu 1 (its
 * VBAR_EL1 still points at us from the control start), which records it and
 * powers that CPU off again.
 */
static volatile bool wild_entry_expected;
static volatile bool wild_entry_faulted;
static volatile uint64_t wild_entry_esr;

static bool hostile_exception_hook(struct exception_frame *frame, unsigned int type)
{
	if (wild_entry_expected && guest_cpu_index() != 0 && type == EXC_SYNC) {
		wild_entry_esr = frame->esr;
		__atomic_store_n(&wild_entry_faulted, true, __ATOMIC_RELEASE);
		probe_smc(PSCI_CPU_OFF, 0, 0, 0);
		for (;;)
			__asm__ volatile("wfi");
	}
	if (!probe.armed || guest_cpu_index() != 0)
		return false;
	if (type == EXC_SERROR) {
		/* Asynchronous: resume where it was taken. */
		probe.serror = true;
		probe.esr = frame->esr;
		return true;
	}
	if (frame->elr < guest_ipa(__probe_start) || frame->elr >= guest_ipa(__probe_end))
		return false;
	probe.faulted = true;
	probe.esr = frame->esr;
	probe.far = frame->far;
	probe.elr = frame->elr;
	frame->elr += 4;
	return true;
}

static void arm(void)
{
	probe.faulted = false;
	probe.serror = false;
	probe.esr = probe.far = probe.elr = 0;
	__asm__ volatile("" : : : "memory");
	probe.armed = true;
	__asm__ volatile("" : : : "memory");
}

/* Disarms; if the attempt faulted, describes how into `text` and returns true. */
static bool disarm(char *text, size_t size)
{
	__asm__ volatile("" : : : "memory");
	probe.armed = false;
	if (probe.faulted) {
		format_snprintf(text, size, "fault (%s, ESR 0x%lx, FAR 0x%lx)",
				guest_exception_class_name(probe.esr), probe.esr, probe.far);
		return true;
	}
	if (probe.serror) {
		format_snprintf(text, size, "fault (serror, ESR 0x%lx)", probe.esr);
		return true;
	}
	return false;
}

void hostile_arm(void)
{
	arm();
}

bool hostile_disarm(char *text, size_t size)
{
	return disarm(text, size);
}

uint64_t hostile_last_esr(void)
{
	return probe.esr;
}

static void report(const char *attempt, const char *result)
{
	console_printf("hostile: %s: %s\n", attempt, result);
}

static bool is_own_memory(uint64_t addr)
{
	return guest_boot_info_has_address(info, addr);
}

static bool is_own_cpu(uint64_t mpidr)
{
	for (uint32_t i = 0; i < info->cpu_count; i++)
		if (mpidr_affinity(info->cpu_mpidr[i]) == mpidr_affinity(mpidr))
			return true;
	return false;
}

/* First MPIDR 0.0.0.k (k < 16) that is not ours, or ~0 if all are. */
static uint64_t first_foreign_mpidr(void)
{
	for (uint64_t k = 0; k < 16; k++)
		if (!is_own_cpu(k))
			return k;
	return ~0ull;
}

static bool is_own_irq(uint32_t intid)
{
	for (uint32_t i = 0; i < info->irq_count; i++)
		if (info->irqs[i] == intid)
			return true;
	return false;
}

/* ---- (a) memory ---- */

static void attempt_read(const char *whose, uint64_t addr)
{
	char attempt[ATTEMPT_TEXT_MAX];
	char result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "read %s memory 0x%lx", whose, addr);
	if (is_own_memory(addr)) {
		report(attempt, "skipped (own memory in this config)");
		return;
	}
	arm();
	uint64_t value = probe_read64(addr);

	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", value);
	report(attempt, result);
}

static void attempt_write(const char *whose, uint64_t addr)
{
	char attempt[ATTEMPT_TEXT_MAX];
	char result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "write %s memory 0x%lx", whose, addr);
	if (is_own_memory(addr)) {
		report(attempt, "skipped (own memory in this config)");
		return;
	}
	arm();
	probe_write64(addr, MARKER);
	if (disarm(result, sizeof(result))) {
		report(attempt, result);
		return;
	}
	arm();
	uint64_t back = probe_read64(addr);
	char read_fault[ATTEMPT_TEXT_MAX];

	if (disarm(read_fault, sizeof(read_fault)))
		format_snprintf(result, sizeof(result), "write completed, no fault (read back: %s)",
				read_fault);
	else
		format_snprintf(result, sizeof(result),
				"write completed, no fault (read back 0x%lx%s)", back,
				back == MARKER ? ", MARKER STORED" : "");
	report(attempt, result);
}

static void attempt_memory(void)
{
	attempt_read("hello", HELLO_MEMORY);
	attempt_write("hello", HELLO_MEMORY);
	attempt_read("ticker", TICKER_MEMORY);
	attempt_write("ticker", TICKER_MEMORY);
	attempt_read("hypervisor", HYPERVISOR_MEMORY);
	attempt_write("hypervisor", HYPERVISOR_MEMORY);
	attempt_read("unassigned", UNASSIGNED_MEMORY);
}

/* ---- (b) distributor ---- */

/* 32-bit register write, then read back; `ignored` decides from the value read back. */
static void attempt_mmio32(const char *attempt, uint64_t addr, uint32_t value,
			   bool (*ignored)(uint32_t back, uint32_t value))
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	probe_write32(addr, value);
	if (disarm(result, sizeof(result))) {
		report(attempt, result);
		return;
	}
	arm();
	uint32_t back = probe_read32(addr);

	if (disarm(result, sizeof(result))) {
		report(attempt, result);
		return;
	}
	format_snprintf(result, sizeof(result), "write %s (read back 0x%x)",
			ignored(back, value) ? "ignored" : "took effect", back);
	report(attempt, result);
}

/*
 * 64-bit register: read, write `value` (or `alternative` when the register
 * already holds `value`, so that a change is visible), read back.
 */
static void attempt_mmio64(const char *attempt, uint64_t addr, uint64_t value, uint64_t alternative)
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	uint64_t before = probe_read64(addr);

	if (disarm(result, sizeof(result))) {
		report(attempt, result);
		return;
	}
	if (before == value)
		value = alternative;
	arm();
	probe_write64(addr, value);
	if (disarm(result, sizeof(result))) {
		report(attempt, result);
		return;
	}
	arm();
	uint64_t back = probe_read64(addr);

	if (disarm(result, sizeof(result))) {
		report(attempt, result);
		return;
	}
	format_snprintf(result, sizeof(result),
			"write %s (before 0x%lx, wrote 0x%lx, read back 0x%lx)",
			back != value ? "ignored" : "took effect", before, value, back);
	report(attempt, result);
}

/* Set-enable style: the write "took" if the written bits read back set. */
static bool bits_stayed_clear(uint32_t back, uint32_t value)
{
	return (back & value) == 0;
}

static bool value_not_stored(uint32_t back, uint32_t value)
{
	return back != value;
}

/*
 * IROUTER of an SPI the attacker owns: only one of its own CPUs, compared on
 * all 64 bits. Aff3 (bits 39:32) and IRM ("1 of N", bit 31) would reach CPUs
 * outside the cell; routing to its own second CPU is the control.
 */
static void attempt_own_spi_routing(void)
{
	uint64_t irouter = info->gicd_base + GICD_IROUTER + 8 * OWN_SPI;
	uint64_t own = mpidr_affinity(info->cpu_mpidr[0]);
	char attempt[ATTEMPT_TEXT_MAX];

	if (!is_own_irq(OWN_SPI) || info->cpu_count < 2) {
		report("gicd irouter own spi", "skipped (no own SPI or one CPU in this config)");
		return;
	}
	format_snprintf(attempt, sizeof(attempt), "gicd irouter own spi %u aff3 set", OWN_SPI);
	attempt_mmio64(attempt, irouter, own | (1ul << 32), own | (2ul << 32));
	format_snprintf(attempt, sizeof(attempt), "gicd irouter own spi %u irm (1 of n)", OWN_SPI);
	attempt_mmio64(attempt, irouter, own | (1ul << 31), own | (1ul << 31));
	format_snprintf(attempt, sizeof(attempt), "gicd irouter own spi %u reserved bit 40",
			OWN_SPI);
	attempt_mmio64(attempt, irouter, own | (1ul << 40), own | (1ul << 40));
	format_snprintf(attempt, sizeof(attempt), "gicd irouter own spi %u own cpu 1 (control)",
			OWN_SPI);
	attempt_mmio64(attempt, irouter, mpidr_affinity(info->cpu_mpidr[1]), own);
}

static void attempt_distributor(void)
{
	uint64_t gicd = info->gicd_base;
	uint32_t word = FOREIGN_SPI / 32;
	uint32_t bit = 1u << (FOREIGN_SPI % 32);
	char attempt[ATTEMPT_TEXT_MAX];
	char result[ATTEMPT_TEXT_MAX];

	if (is_own_irq(FOREIGN_SPI)) {
		report("gicd foreign spi", "skipped (INTID 33 is this cell's own in this config)");
		return;
	}
	format_snprintf(attempt, sizeof(attempt), "gicd isenabler enable foreign spi %u",
			FOREIGN_SPI);
	attempt_mmio32(attempt, gicd + GICD_ISENABLER + 4 * word, bit, bits_stayed_clear);

	/* The victim notices this one (its UART interrupt stops); we cannot. */
	format_snprintf(attempt, sizeof(attempt), "gicd icenabler disable foreign spi %u",
			FOREIGN_SPI);
	arm();
	probe_write32(gicd + GICD_ICENABLER + 4 * word, bit);
	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "write completed, no fault");
	report(attempt, result);

	format_snprintf(attempt, sizeof(attempt), "gicd ipriorityr foreign spi %u", FOREIGN_SPI);
	uint64_t priority_reg = gicd + GICD_IPRIORITYR + (FOREIGN_SPI & ~3u);
	uint32_t priority_shift = (FOREIGN_SPI & 3u) * 8;

	attempt_mmio32(attempt, priority_reg, 0x10u << priority_shift, value_not_stored);

	format_snprintf(attempt, sizeof(attempt), "gicd irouter foreign spi %u", FOREIGN_SPI);
	/* Route it to us; bit 31 (IRM, "any CPU") if it already pointed at us. */
	attempt_mmio64(attempt, gicd + GICD_IROUTER + 8 * FOREIGN_SPI,
		       mpidr_affinity(info->cpu_mpidr[0]),
		       mpidr_affinity(info->cpu_mpidr[0]) | (1ul << 31));

	attempt_own_spi_routing();

	/* Disabling every group would silence all cells: the filter must drop it. */
	arm();
	uint32_t ctlr = probe_read32(gicd + GICD_CTLR);

	if (disarm(result, sizeof(result))) {
		report("gicd ctlr disable distributor", result);
	} else {
		arm();
		probe_write32(gicd + GICD_CTLR, 0);
		bool write_faulted = disarm(result, sizeof(result));

		arm();
		uint32_t back = probe_read32(gicd + GICD_CTLR);
		char read_fault[ATTEMPT_TEXT_MAX];

		if (!write_faulted && !disarm(read_fault, sizeof(read_fault))) {
			bool took = (back & 0x3u) == 0 && (ctlr & 0x3u) != 0;

			format_snprintf(result, sizeof(result),
					"write %s (before 0x%x, read back 0x%x%s)",
					took ? "took effect" : "ignored", ctlr, back,
					took ? ", restored" : "");
			/* Limit the damage of a broken filter to this report. */
			if (took)
				probe_write32(gicd + GICD_CTLR, ctlr);
		}
		report("gicd ctlr disable distributor", result);
	}

	/* Control: an SPI this cell owns must be configurable. */
	for (uint32_t i = 0; i < info->irq_count; i++) {
		uint32_t own = info->irqs[i];

		if (own < 32 || own >= 1020)
			continue;
		format_snprintf(attempt, sizeof(attempt),
				"gicd isenabler enable own spi %u (control)", own);
		attempt_mmio32(attempt, gicd + GICD_ISENABLER + 4 * (own / 32), 1u << (own % 32),
			       bits_stayed_clear);
		arm();
		probe_write32(gicd + GICD_ICENABLER + 4 * (own / 32), 1u << (own % 32));
		disarm(result, sizeof(result));
		break;
	}
}

/* ---- (c) SGIs to foreign CPUs ---- */

static void attempt_sgi(const char *attempt, uint64_t sgi1r)
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	probe_write_sgi1r(sgi1r);
	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "executed, no fault (ICC_SGI1R_EL1 0x%lx)",
				sgi1r);
	report(attempt, result);
}

static void attempt_other_sgi_register(const char *name, void (*write)(uint64_t value))
{
	char attempt[ATTEMPT_TEXT_MAX];
	char result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "%s sgi %u broadcast to all but self", name,
			ATTACK_SGI);
	arm();
	write(SGI1R_ALL_BUT_SELF | SGI1R_INTID(ATTACK_SGI));
	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "executed, no fault");
	report(attempt, result);
}

static void attempt_foreign_sgis(void)
{
	char result[ATTEMPT_TEXT_MAX];
	uint32_t foreign_targets = 0;

	/* Aff3.Aff2.Aff1 = 0.0.0, Aff0 0..15: QEMU virt's CPUs. */
	for (uint32_t k = 0; k < 16; k++)
		if (!is_own_cpu(k))
			foreign_targets |= 1u << k;

	arm();
	probe_enable_icc_sre();
	if (disarm(result, sizeof(result))) {
		report("icc_sre_el1 enable system registers", result);
		return;
	}
	char attempt[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "sgi %u to foreign cpus (target list 0x%x)",
			ATTACK_SGI, foreign_targets);
	if (foreign_targets == 0)
		report(attempt, "skipped (every cpu 0.0.0.0-15 is own)");
	else
		attempt_sgi(attempt, SGI1R_TARGET_LIST(foreign_targets) | SGI1R_INTID(ATTACK_SGI));

	format_snprintf(attempt, sizeof(attempt), "sgi %u broadcast to all but self", ATTACK_SGI);
	attempt_sgi(attempt, SGI1R_ALL_BUT_SELF | SGI1R_INTID(ATTACK_SGI));

	/* Not offered to cells: dropped without a fault, never delivered. */
	attempt_other_sgi_register("asgi1r", probe_write_asgi1r);
	attempt_other_sgi_register("sgi0r", probe_write_sgi0r);
}

/* ---- (d) PSCI on foreign and own CPUs ---- */

static void report_call(const char *attempt, int64_t value, const char *result_if_ok)
{
	char result[ATTEMPT_TEXT_MAX];

	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "returned %ld%s", value, result_if_ok);
	report(attempt, result);
}

static volatile uint32_t second_cpu_ran;

static void second_cpu_main(unsigned int index)
{
	(void)index;
	second_cpu_ran = 1;
	/* Returning makes the runtime call PSCI CPU_OFF on this CPU. */
}

static uint64_t one_second_from_now(void)
{
	return timer_now_ticks() + timer_frequency_hz();
}

int64_t hostile_wait_affinity_off(uint64_t mpidr)
{
	uint64_t give_up = one_second_from_now();
	int64_t state;

	do
		state = psci_affinity_info(mpidr);
	while (state != PSCI_AFFINITY_OFF && timer_now_ticks() < give_up);
	return state;
}

static void attempt_psci(void)
{
	char attempt[ATTEMPT_TEXT_MAX];
	int64_t value;
	uint64_t foreign = first_foreign_mpidr();

	arm();
	value = probe_smc(PSCI_VERSION, 0, 0, 0);
	report_call("psci version via smc", value, "");
	arm();
	value = probe_hvc(PSCI_VERSION, 0, 0, 0, 0, 0);
	report_call("psci version via hvc", value, "");

	if (foreign != ~0ull) {
		/*
		 * Context GUEST_MAX_CPUS makes our entry exit the cell with code 3 should
		 * a foreign CPU ever start here: visible, never silent.
		 */
		format_snprintf(attempt, sizeof(attempt), "psci cpu_on foreign mpidr 0x%lx",
				foreign);
		arm();
		value = probe_smc(PSCI_CPU_ON, foreign, guest_ipa(guest_secondary_entry),
				  GUEST_MAX_CPUS);
		report_call(attempt, value, "");
		format_snprintf(attempt, sizeof(attempt), "psci affinity_info foreign mpidr 0x%lx",
				foreign);
		arm();
		value = probe_smc(PSCI_AFFINITY_INFO, foreign, 0, 0);
		report_call(attempt, value, "");
	}
	arm();
	value = probe_smc(PSCI_CPU_ON, 0xff00ffffffull, guest_ipa(guest_secondary_entry),
			  GUEST_MAX_CPUS);
	report_call("psci cpu_on nonexistent mpidr 0xff00ffffff", value, "");
	arm();
	value = probe_smc(PSCI_CPU_ON, mpidr_affinity(info->cpu_mpidr[0]),
			  guest_ipa(guest_secondary_entry), GUEST_MAX_CPUS);
	report_call("psci cpu_on own running boot cpu", value, "");

	if (info->cpu_count < 2) {
		report("psci cpu_on/cpu_off own second cpu", "skipped (cell has one cpu)");
		return;
	}
	uint64_t second = mpidr_affinity(info->cpu_mpidr[1]);

	/* Controls through the runtime's own PSCI path (not probes: no fault expected). */
	arm();
	value = guest_start_cpu(1, second_cpu_main);
	for (uint64_t give_up = one_second_from_now(); value == 0 && !second_cpu_ran;)
		if (timer_now_ticks() > give_up)
			break;
	format_snprintf(attempt, sizeof(attempt), "psci cpu_on own cpu 1 mpidr 0x%lx (control)",
			second);
	report_call(attempt, value, second_cpu_ran ? ", it ran" : ", it never ran");

	arm();
	value = hostile_wait_affinity_off(second);
	report_call("psci cpu_off own cpu 1 (control), then affinity_info", value, "");
}

/*
 * Starting an own CPU at the hypervisor's address: PSCI accepts it (the
 * address is the cell's business), and the CPU's first instruction fetch is
 * a stage-2 fault that the hypervisor must turn into an abort in this cell.
 */
void hostile_start_cpu1_at(uint64_t entry, char *text, size_t size)
{
	if (info->cpu_count < 2) {
		format_snprintf(text, size, "skipped (cell has one cpu)");
		return;
	}
	wild_entry_faulted = false;
	wild_entry_expected = true;
	arm();
	int64_t value = probe_smc(PSCI_CPU_ON, mpidr_affinity(info->cpu_mpidr[1]), entry, 0);

	if (disarm(text, size))
		return;
	if (value != 0) {
		format_snprintf(text, size, "returned %ld", value);
		return;
	}
	/* Accepted: the CPU must fault inside this cell. Wait a bounded while for it. */
	for (unsigned long spin = 0; spin < 100000000ul && !wild_entry_faulted; spin++)
		__asm__ volatile("yield");
	if (wild_entry_faulted)
		format_snprintf(text, size, "returned 0, cpu 1 faulted in this cell (%s)",
				guest_exception_class_name(wild_entry_esr));
	else
		format_snprintf(text, size, "returned 0, cpu 1 never reported");
	/* Until it is off again, cpu 1 cannot be started at the next address. */
	hostile_wait_affinity_off(mpidr_affinity(info->cpu_mpidr[1]));
}

static void attempt_psci_wild_entry(void)
{
	char attempt[ATTEMPT_TEXT_MAX];
	char result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "psci cpu_on own cpu 1 entry 0x%lx (hypervisor)",
			HYPERVISOR_MEMORY);
	hostile_start_cpu1_at(HYPERVISOR_MEMORY, result, sizeof(result));
	report(attempt, result);
}

/* ---- (e) hypercalls with wild arguments ---- */

/* A Bulkhead hypercall: an error is reported with its text, "returned -14 (bad address)". */
static void attempt_hypercall(const char *attempt, uint64_t function, uint64_t a1, uint64_t a2,
			      uint64_t a3)
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	int64_t value = probe_hvc(function, a1, a2, a3, 0, 0);

	if (!disarm(result, sizeof(result)))
		bh_hypercall_result_text(result, sizeof(result), value);
	report(attempt, result);
}

static void attempt_hypercalls(void)
{
	/* Our own text: readable by us, and readable by the hypervisor only if it is correct. */
	static const char sample[] = "console write control sample\n";
	uint64_t own_end = info->regions[0].guest_phys + info->regions[0].size_bytes;
	struct bh_cpu_stats stats;
	char attempt[ATTEMPT_TEXT_MAX];

	attempt_hypercall("console write ipa 0", BH_HC_CONSOLE_WRITE, 0, 16, 0);
	format_snprintf(attempt, sizeof(attempt), "console write foreign ipa 0x%lx", TICKER_MEMORY);
	attempt_hypercall(attempt, BH_HC_CONSOLE_WRITE, TICKER_MEMORY, 16, 0);
	format_snprintf(attempt, sizeof(attempt), "console write hypervisor ipa 0x%lx",
			HYPERVISOR_MEMORY);
	attempt_hypercall(attempt, BH_HC_CONSOLE_WRITE, HYPERVISOR_MEMORY, 16, 0);
	attempt_hypercall("console write len 0x10000000", BH_HC_CONSOLE_WRITE, guest_ipa(sample),
			  0x10000000, 0);
	format_snprintf(attempt, sizeof(attempt), "console write len %u (max + 1)",
			BH_CONSOLE_WRITE_MAX + 1);
	attempt_hypercall(attempt, BH_HC_CONSOLE_WRITE, guest_ipa(sample), BH_CONSOLE_WRITE_MAX + 1,
			  0);
	format_snprintf(attempt, sizeof(attempt), "console write crossing own region end 0x%lx",
			own_end);
	attempt_hypercall(attempt, BH_HC_CONSOLE_WRITE, own_end - 8, 16, 0);
	attempt_hypercall("console write ipa wraps 0xfffffffffffffff0 len 32", BH_HC_CONSOLE_WRITE,
			  0xfffffffffffffff0ull, 32, 0);
	attempt_hypercall("console write len 0 (control)", BH_HC_CONSOLE_WRITE, guest_ipa(sample),
			  0, 0);
	attempt_hypercall("console write own buffer (control)", BH_HC_CONSOLE_WRITE,
			  guest_ipa(sample), sizeof(sample) - 1, 0);

	attempt_hypercall("cpu stats cpu 1000", BH_HC_CPU_STATS, 1000, guest_ipa(&stats),
			  sizeof(stats));
	attempt_hypercall("cpu stats cpu 0xffffffff", BH_HC_CPU_STATS, 0xffffffffull,
			  guest_ipa(&stats), sizeof(stats));
	attempt_hypercall("cpu stats cpu 0x100000000", BH_HC_CPU_STATS, 0x100000000ull,
			  guest_ipa(&stats), sizeof(stats));

	int own_cpu = guest_find_own_logical_cpu(info->cell_id);
	uint32_t cpu = own_cpu >= 0 ? (uint32_t)own_cpu : 0;

	format_snprintf(attempt, sizeof(attempt), "cpu stats own cpu %u (control)", cpu);
	attempt_hypercall(attempt, BH_HC_CPU_STATS, cpu, guest_ipa(&stats), sizeof(stats));
	format_snprintf(attempt, sizeof(attempt), "cpu stats buffer in foreign memory 0x%lx",
			TICKER_MEMORY);
	attempt_hypercall(attempt, BH_HC_CPU_STATS, cpu, TICKER_MEMORY, sizeof(stats));
	format_snprintf(attempt, sizeof(attempt), "cpu stats buffer in hypervisor memory 0x%lx",
			HYPERVISOR_MEMORY);
	attempt_hypercall(attempt, BH_HC_CPU_STATS, cpu, HYPERVISOR_MEMORY, sizeof(stats));
	format_snprintf(attempt, sizeof(attempt), "cpu stats buffer crossing own region end 0x%lx",
			own_end);
	attempt_hypercall(attempt, BH_HC_CPU_STATS, cpu, own_end - 8, sizeof(stats));
	attempt_hypercall("cpu stats size 8 (too small)", BH_HC_CPU_STATS, cpu, guest_ipa(&stats),
			  8);

	format_snprintf(attempt, sizeof(attempt), "cell info buffer in foreign memory 0x%lx",
			TICKER_MEMORY);
	attempt_hypercall(attempt, BH_HC_CELL_INFO, BH_CELL_SELF, TICKER_MEMORY, 4096);
	attempt_hypercall("cell info unknown cell 1000", BH_HC_CELL_INFO, 1000, guest_ipa(&stats),
			  sizeof(stats));
	attempt_hypercall("doorbell unknown channel 99", BH_HC_DOORBELL, 99, 0, 0);
	attempt_hypercall("mailbox ack with nothing asked", BH_HC_MAILBOX_ACK, 0, 0, 0);
	attempt_hypercall("unknown hypercall 0xc6000100", BH_HC_BASE + 0x100, 0, 0, 0);
	attempt_hypercall("unknown hypercall 0xc600ffff", BH_HC_BASE + 0xffff, 0, 0, 0);
	arm();
	int64_t value = probe_smc(0xc2000000ull, 0, 0, 0);

	report_call("unknown smc 0xc2000000 (sip service)", value, "");
}

/* ---- (f) redistributor control frames ---- */

static void attempt_redistributors(void)
{
	uint64_t rd = info->cpu_gicr_base[0];
	char attempt[ATTEMPT_TEXT_MAX];

	/* LPI tables aimed at the hypervisor would let the GIC write its memory. */
	format_snprintf(attempt, sizeof(attempt), "gicr propbaser write own rd 0x%lx",
			rd + GICR_PROPBASER);
	attempt_mmio64(attempt, rd + GICR_PROPBASER, HYPERVISOR_MEMORY | 0xf,
		       HYPERVISOR_MEMORY | 0xe);
	format_snprintf(attempt, sizeof(attempt), "gicr pendbaser write own rd 0x%lx",
			rd + GICR_PENDBASER);
	attempt_mmio64(attempt, rd + GICR_PENDBASER, HYPERVISOR_MEMORY + 0x10000,
		       HYPERVISOR_MEMORY + 0x20000);
	format_snprintf(attempt, sizeof(attempt), "gicr ctlr enable lpis own rd 0x%lx",
			rd + GICR_CTLR);
	attempt_mmio32(attempt, rd + GICR_CTLR, 1, bits_stayed_clear);

	/* A redistributor that is not ours: disabling its timer PPI would starve its CPU. */
	uint64_t foreign_rd = 0;

	for (uint64_t k = 0; k < 16 && !foreign_rd; k++) {
		uint64_t candidate = QEMU_VIRT_GICR_BASE + k * QEMU_VIRT_GICR_STRIDE;
		bool own = false;

		for (uint32_t i = 0; i < info->cpu_count; i++)
			own |= info->cpu_gicr_base[i] == candidate;
		if (!own)
			foreign_rd = candidate;
	}
	if (!foreign_rd) {
		report("gicr foreign sgi frame", "skipped (no foreign redistributor known)");
		return;
	}
	uint64_t foreign_sgi = foreign_rd + GICR_SGI_FRAME_OFFSET;

	format_snprintf(attempt, sizeof(attempt), "read foreign redistributor isenabler0 0x%lx",
			foreign_sgi + GICR_ISENABLER0);
	char result[ATTEMPT_TEXT_MAX];

	arm();
	uint32_t enabled = probe_read32(foreign_sgi + GICR_ISENABLER0);

	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%x, no fault", enabled);
	report(attempt, result);

	format_snprintf(attempt, sizeof(attempt), "foreign redistributor icenabler0 timer 0x%lx",
			foreign_sgi + GICR_ICENABLER0);
	arm();
	probe_write32(foreign_sgi + GICR_ICENABLER0, 1u << 30);
	if (!disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "write completed, no fault");
	report(attempt, result);
}

/*
 * Keeps the attacker's CPU busy with hypercalls (cell info of every cell)
 * until every other cell has stopped: the victims' whole run happens under
 * a hypercall flood from this cell.
 */
static void flood_until_others_stop(void)
{
	struct bh_cell_info cell;
	uint64_t calls = 0;
	bool others_running = true;

	while (others_running) {
		others_running = false;
		if (bh_cell_info(BH_CELL_SELF, &cell) < 0)
			break;
		uint32_t count = cell.cell_count;

		calls++;
		for (uint32_t id = 0; id < count; id++) {
			if (id == info->cell_id)
				continue;
			calls++;
			if (bh_cell_info(id, &cell) == 0 && cell.state != 2)
				others_running = true;
		}
	}
	console_printf("hostile: hypercall flood until the other cells stopped: %lu calls\n",
		       calls);
}

int guest_main(const struct bh_boot_info *boot_info)
{
	info = boot_info;
	guest_set_exception_hook(hostile_exception_hook);
	/* An injected SError must show up at the attempt that caused it. */
	serror_unmask();
	console_printf("hostile: cell %u, %u cpu(s), gicd 0x%lx, gicr 0x%lx\n", info->cell_id,
		       info->cpu_count, info->gicd_base, info->cpu_gicr_base[0]);
	if (hostile_params.catalogue != HOSTILE_CATALOGUE_DIRECT) {
		attempt_memory();
		attempt_distributor();
		attempt_foreign_sgis();
		attempt_psci();
		attempt_hypercalls();
		attempt_redistributors();
		attempt_psci_wild_entry();
	}
	if (hostile_params.catalogue)
		catalogue_run(info);
	if (hostile_params.calls)
		fuzz_run(info);
	flood_until_others_stop();
	console_printf("hostile: done\n");
	return 0;
}
