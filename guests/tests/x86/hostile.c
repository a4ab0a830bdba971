/*
 * hostile (x86-64, a realtime cell so that it drives its own x2APIC): tries
 * to break every isolation boundary a cell has on VMX (memory, the IOAPIC
 * and LAPIC pages, IPIs to foreign CPUs, ports, MSRs, control registers,
 * VMX instructions, cache instructions, hypercall arguments) and prints one
 * line per attempt, "hostile: <attempt>: <result>". Then it floods the
 * hypervisor with hypercalls and refused IPIs until every other cell has
 * stopped, prints "hostile: done" and exits 0. It judges nothing: the
 * system test (tests/system/test_x86_hostile.py) reads the lines, the
 * hypervisor's and the victims'. A fault inside a probe (hostile_probe.asm)
 * returns to the probe's caller.
 */
#include <bulkhead/hypercall.h>
#include <guest/boot_info_check.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/idt.h>
#include <guest/runtime.h>
#include <lib/format.h>
#include <x86_64/msr.h>

/* The victim's memory in tests/system/systems/x86-hostile.dts, and the hypervisor's. */
#define TICKER_MEMORY 0x6000000ul
#define HYPERVISOR_MEMORY 0x100000ul
#define HYPERVISOR_MEMORY_HIGH 0x1000000ul
#define UNASSIGNED_MEMORY 0x20000000ul
#define IOAPIC_MMIO 0xfec00000ul
#define LAPIC_MMIO 0xfee00000ul
#define MARKER 0x686f7374696c6521ull /* "hostile!" */
#define PROBE_FAULTED 0xfa017ed000000000ull
#define ATTEMPT_TEXT_MAX 160

#define X2APIC_SVR 0x80f
#define X2APIC_EOI 0x80b
#define X2APIC_ICR 0x830
#define ATTACK_VECTOR 0x42 /* ticker.c counts it as a stray interrupt */
#define SPURIOUS_VECTOR 0xff
#define ICR_LOWEST (1ull << 8)
#define ICR_SMI (2ull << 8)
#define ICR_NMI (4ull << 8)
#define ICR_INIT (5ull << 8)
#define ICR_STARTUP (6ull << 8)
#define ICR_LOGICAL (1ull << 11)
#define ICR_SELF (1ull << 18)
#define ICR_ALL (2ull << 18)
#define ICR_ALL_BUT_SELF (3ull << 18)
#define ICR_TO(apic) ((uint64_t)(apic) << 32)

#define MSR_TSC 0x10
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_TSC_ADJUST 0x3b
#define MSR_BIOS_UPDATE_TRIGGER 0x79
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_SMM_MONITOR_CTL 0x9b
#define MSR_MTRR_CAP 0xfe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_DEBUGCTL 0x1d9
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_FIX64K 0x250
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_FS_BASE 0xc0000100
#define EFER_LME (1ull << 8)
#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)
#define RFLAGS_IF (1ull << 9)

/* hostile_probe.asm */
uint64_t probe_read64(uint64_t addr);
uint64_t probe_write64(uint64_t addr, uint64_t value);
uint64_t probe_write32(uint64_t addr, uint32_t value);
uint64_t probe_read32(uint64_t addr);
uint64_t probe_jump(uint64_t addr);
uint64_t probe_rdmsr(uint32_t msr);
uint64_t probe_wrmsr(uint32_t msr, uint64_t value);
uint64_t probe_in8(uint32_t port);
uint64_t probe_in32(uint32_t port);
uint64_t probe_out8(uint32_t port, uint32_t value);
uint64_t probe_out32(uint32_t port, uint32_t value);
uint64_t probe_read_cr0(void);
uint64_t probe_read_cr4(void);
uint64_t probe_write_cr0(uint64_t value);
uint64_t probe_write_cr4(uint64_t value);
int64_t probe_vmcall(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5);
uint64_t probe_vmxon(const uint64_t *region);
uint64_t probe_vmxoff(void);
uint64_t probe_vmptrld(const uint64_t *vmcs);
uint64_t probe_vmclear(const uint64_t *vmcs);
uint64_t probe_vmread(uint64_t field);
uint64_t probe_vmwrite(uint64_t field, uint64_t value);
uint64_t probe_vmlaunch(void);
uint64_t probe_vmresume(void);
uint64_t probe_invept(uint64_t type, const uint64_t *descriptor);
uint64_t probe_invvpid(uint64_t type, const uint64_t *descriptor);
uint64_t probe_vmfunc(void);
uint64_t probe_invd(void);
uint64_t probe_wbinvd(void);
extern char __probe_start[], __probe_end[];
extern char hostile_ipi_stub[], hostile_spurious_stub[];
#define STUB(n) extern char hostile_exception_stub_##n[]
STUB(0);
STUB(1);
STUB(2);
STUB(3);
STUB(4);
STUB(5);
STUB(6);
STUB(7);
STUB(8);
STUB(10);
STUB(11);
STUB(12);
STUB(13);
STUB(14);
STUB(16);
STUB(17);
STUB(18);
STUB(19);

/* What hostile_probe.asm's stubs push, lowest address first. */
struct exception_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Called from hostile_probe.asm. */
void hostile_exception(struct exception_frame *f);
void hostile_ipi(void);

static struct x86_idt_gate idt[GUEST_IDT_VECTORS] __attribute__((aligned(16)));
static const struct bh_boot_info *info;
static volatile uint32_t own_ipis;

static volatile struct {
	bool armed;
	bool faulted;
	uint64_t vector;
	uint64_t error;
	uint64_t rip;
} probe;

static bool is_own_memory(uint64_t addr)
{
	return guest_boot_info_has_address(info, addr);
}

void hostile_exception(struct exception_frame *f)
{
	bool in_probe = f->rip >= (uint64_t)(uintptr_t)__probe_start &&
			f->rip < (uint64_t)(uintptr_t)__probe_end;

	if (!probe.armed || !(in_probe || !is_own_memory(f->rip))) {
		console_printf("hostile: unexpected exception %lu (error 0x%lx) at RIP 0x%lx\n",
			       f->vector, f->error, f->rip);
		bh_cell_exit(3);
	}
	probe.faulted = true;
	probe.vector = f->vector;
	probe.error = f->error;
	probe.rip = f->rip;
	/* RET from the probe (or from the wild jump's target) to its caller. */
	f->rip = *(uint64_t *)(uintptr_t)f->rsp;
	f->rsp += 8;
	f->rax = PROBE_FAULTED;
}

void hostile_ipi(void)
{
	own_ipis++;
	wrmsr(X2APIC_EOI, 0);
}

static void load_idt(void)
{
	static const struct {
		unsigned int vector;
		const char *stub;
	} exceptions[] = {
		{ 0, hostile_exception_stub_0 },   { 1, hostile_exception_stub_1 },
		{ 2, hostile_exception_stub_2 },   { 3, hostile_exception_stub_3 },
		{ 4, hostile_exception_stub_4 },   { 5, hostile_exception_stub_5 },
		{ 6, hostile_exception_stub_6 },   { 7, hostile_exception_stub_7 },
		{ 8, hostile_exception_stub_8 },   { 10, hostile_exception_stub_10 },
		{ 11, hostile_exception_stub_11 }, { 12, hostile_exception_stub_12 },
		{ 13, hostile_exception_stub_13 }, { 14, hostile_exception_stub_14 },
		{ 16, hostile_exception_stub_16 }, { 17, hostile_exception_stub_17 },
		{ 18, hostile_exception_stub_18 }, { 19, hostile_exception_stub_19 },
	};

	for (unsigned int i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		idt_set_gate(idt, exceptions[i].vector, exceptions[i].stub);
	idt_set_gate(idt, ATTACK_VECTOR, hostile_ipi_stub);
	idt_set_gate(idt, SPURIOUS_VECTOR, hostile_spurious_stub);
	idt_load(idt);
}

static void arm(void)
{
	probe.faulted = false;
	probe.vector = probe.error = probe.rip = 0;
	__asm__ volatile("" : : : "memory");
	probe.armed = true;
	__asm__ volatile("" : : : "memory");
}

static const char *vector_name(uint64_t vector)
{
	static const char *const names[20] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?",
		"?",   "#NP", "#SS", "#GP", "#PF", "?",   "#MF", "#AC", "#MC", "#XM",
	};
	return vector < 20 ? names[vector] : "?";
}

static bool has_error_code(uint64_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/* Disarms; if the attempt faulted, describes how into `text` and returns true. */
static bool disarm(char *text, size_t size, bool with_rip)
{
	char rip[32] = "";

	__asm__ volatile("" : : : "memory");
	probe.armed = false;
	if (!probe.faulted)
		return false;
	if (with_rip)
		format_snprintf(rip, sizeof(rip), ", RIP 0x%lx", probe.rip);
	if (has_error_code(probe.vector))
		format_snprintf(text, size, "fault (%s, error 0x%lx%s)", vector_name(probe.vector),
				probe.error, rip);
	else
		format_snprintf(text, size, "fault (%s%s)", vector_name(probe.vector), rip);
	return true;
}

static void report(const char *attempt, const char *result)
{
	console_printf("hostile: %s: %s\n", attempt, result);
}

/* ---- memory and MMIO pages: EPT violations ---- */

static void attempt_read(const char *whose, uint64_t addr)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "read %s 0x%lx", whose, addr);
	arm();
	uint64_t value = probe_read64(addr);

	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", value);
	report(attempt, result);
}

/* `whose` NULL: the cell's own word (control), named without its address. */
static void attempt_write(const char *whose, uint64_t addr)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	if (whose)
		format_snprintf(attempt, sizeof(attempt), "write %s 0x%lx", whose, addr);
	else
		format_snprintf(attempt, sizeof(attempt), "write own memory (control)");
	arm();
	probe_write64(addr, MARKER);
	if (!disarm(result, sizeof(result), false)) {
		arm();
		uint64_t back = probe_read64(addr);

		if (disarm(result, sizeof(result), false))
			format_snprintf(result, sizeof(result),
					"write completed, read back faulted");
		else
			format_snprintf(result, sizeof(result),
					"write completed (read back 0x%lx%s)", back,
					back == MARKER ? ", MARKER STORED" : "");
	}
	report(attempt, result);
}

static void attempt_fetch(const char *whose, uint64_t addr)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "execute %s 0x%lx", whose, addr);
	arm();
	probe_jump(addr);
	if (!disarm(result, sizeof(result), true))
		format_snprintf(result, sizeof(result), "returned, no fault");
	report(attempt, result);
}

static void attempt_memory(void)
{
	static uint64_t own_word;

	attempt_read("ticker memory", TICKER_MEMORY);
	attempt_write("ticker memory", TICKER_MEMORY);
	attempt_fetch("ticker memory", TICKER_MEMORY);
	attempt_read("hypervisor memory", HYPERVISOR_MEMORY);
	attempt_write("hypervisor memory", HYPERVISOR_MEMORY);
	attempt_read("hypervisor memory", HYPERVISOR_MEMORY_HIGH);
	attempt_write("hypervisor memory", HYPERVISOR_MEMORY_HIGH);
	attempt_fetch("hypervisor memory", HYPERVISOR_MEMORY);
	attempt_read("unassigned memory", UNASSIGNED_MEMORY);
	attempt_read("ioapic", IOAPIC_MMIO);
	attempt_write("ioapic", IOAPIC_MMIO);
	attempt_read("lapic mmio", LAPIC_MMIO + 0x20);
	attempt_write(NULL, (uint64_t)(uintptr_t)&own_word);
}

/* ---- the IOAPIC: emulated, filtered by pin ownership ---- */

#define IOAPIC_DATA 0x10
#define IOAPIC_REDIRECTION(pin) (0x10 + 2 * (pin))
#define OWN_PIN 3 /* x86-hostile.dts gives the attacker COM2 and its GSI 3 */
#define FOREIGN_PIN 4 /* COM1's, the hypervisor's console */
#define TIMER_PIN 2
#define IOAPIC_MASKED 0x10000u
#define ENTRY_NMI 0x400u
#define ENTRY_SMI 0x200u
#define ENTRY_INIT 0x500u
#define ENTRY_EXTINT 0x700u
#define ENTRY_LOGICAL 0x800u
#define DESTINATION(apic) ((uint32_t)(apic) << 24)

static unsigned int ioapic_accesses;

/* One 32-bit access through the index/data pair; false if either faulted. */
static bool ioapic_read(uint32_t reg, uint32_t *value, char *fault, size_t size)
{
	arm();
	probe_write32(IOAPIC_MMIO, reg);
	*value = (uint32_t)probe_read32(IOAPIC_MMIO + IOAPIC_DATA);
	ioapic_accesses += 2;
	return !disarm(fault, size, false);
}

static bool ioapic_write(uint32_t reg, uint32_t value, char *fault, size_t size)
{
	arm();
	probe_write32(IOAPIC_MMIO, reg);
	probe_write32(IOAPIC_MMIO + IOAPIC_DATA, value);
	ioapic_accesses += 2;
	return !disarm(fault, size, false);
}

/* Reads register `reg`, writes `value`, reads it back and says whether the write took. */
static void attempt_ioapic(const char *what, uint32_t reg, uint32_t value)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];
	uint32_t before, back;

	format_snprintf(attempt, sizeof(attempt), "ioapic register 0x%x %s", reg, what);
	if (ioapic_read(reg, &before, result, sizeof(result)) &&
	    ioapic_write(reg, value, result, sizeof(result)) &&
	    ioapic_read(reg, &back, result, sizeof(result)))
		format_snprintf(result, sizeof(result),
				"write %s (before 0x%x, wrote 0x%x, read back 0x%x)",
				back == value ? "took effect" : "ignored", before, value, back);
	report(attempt, result);
}

static void attempt_ioapic_offset(const char *attempt, uint32_t offset)
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	probe_write32(IOAPIC_MMIO + offset, 0x42);
	ioapic_accesses++;
	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "no fault");
	report(attempt, result);
}

static void attempt_ioapic_pins(void)
{
	uint32_t own_apic = (uint32_t)info->cpu_mpidr[0];
	char result[ATTEMPT_TEXT_MAX];
	uint32_t id;

	attempt_ioapic("id", 0x0, 0x0f000000u);
	attempt_ioapic("foreign pin 4 (com1) unmask", IOAPIC_REDIRECTION(FOREIGN_PIN),
		       ATTACK_VECTOR);
	attempt_ioapic("foreign pin 2 (timer) aim at apic 1", IOAPIC_REDIRECTION(TIMER_PIN) + 1,
		       DESTINATION(1));
	/* Its own pin, aimed at the other CPU: the high half may be written while masked,
	 * unmasking it there is refused. */
	attempt_ioapic("own pin 3 destination foreign apic 1 (masked)",
		       IOAPIC_REDIRECTION(OWN_PIN) + 1, DESTINATION(1));
	attempt_ioapic("own pin 3 unmask towards foreign apic 1", IOAPIC_REDIRECTION(OWN_PIN),
		       ATTACK_VECTOR);
	attempt_ioapic("own pin 3 destination own apic", IOAPIC_REDIRECTION(OWN_PIN) + 1,
		       DESTINATION(own_apic));
	attempt_ioapic("own pin 3 nmi", IOAPIC_REDIRECTION(OWN_PIN), IOAPIC_MASKED | ENTRY_NMI);
	attempt_ioapic("own pin 3 smi", IOAPIC_REDIRECTION(OWN_PIN), IOAPIC_MASKED | ENTRY_SMI);
	attempt_ioapic("own pin 3 init", IOAPIC_REDIRECTION(OWN_PIN), IOAPIC_MASKED | ENTRY_INIT);
	attempt_ioapic("own pin 3 extint", IOAPIC_REDIRECTION(OWN_PIN),
		       IOAPIC_MASKED | ENTRY_EXTINT);
	attempt_ioapic("own pin 3 logical destination", IOAPIC_REDIRECTION(OWN_PIN),
		       ENTRY_LOGICAL | ATTACK_VECTOR);
	attempt_ioapic("own pin 3 fixed to own cpu (control)", IOAPIC_REDIRECTION(OWN_PIN),
		       ATTACK_VECTOR);
	attempt_ioapic("own pin 3 masked again (control)", IOAPIC_REDIRECTION(OWN_PIN),
		       IOAPIC_MASKED | ATTACK_VECTOR);
	attempt_ioapic("past the last pin", IOAPIC_REDIRECTION(100), ATTACK_VECTOR);
	attempt_ioapic_offset("ioapic eoi register offset 0x40 write", 0x40);
	if (ioapic_read(0x1, &id, result, sizeof(result)))
		format_snprintf(result, sizeof(result), "0x%x", id);
	report("ioapic version", result);
	format_snprintf(result, sizeof(result), "%u", ioapic_accesses);
	report("ioapic 32-bit accesses made", result);
}

/* ---- IPIs through the ICR (trapped and checked) ---- */

static void attempt_icr(const char *what, uint64_t icr)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "icr 0x%lx %s", icr, what);
	arm();
	probe_wrmsr(X2APIC_ICR, icr);
	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "written, no fault");
	report(attempt, result);
}

/* The refused ICR values, in the order they are tried (and repeated by the flood). */
static const struct {
	const char *what;
	uint64_t icr;
} refused_icr[] = {
	{ "fixed to foreign apic 1", ICR_TO(1) | ATTACK_VECTOR },
	{ "lowest priority to foreign apic 1", ICR_TO(1) | ICR_LOWEST | ATTACK_VECTOR },
	{ "nmi to foreign apic 1", ICR_TO(1) | ICR_NMI },
	{ "init to foreign apic 1", ICR_TO(1) | ICR_INIT },
	{ "startup to foreign apic 1", ICR_TO(1) | ICR_STARTUP | 0x10 },
	{ "smi to foreign apic 1", ICR_TO(1) | ICR_SMI },
	{ "fixed to physical broadcast 0xffffffff", ICR_TO(0xffffffffu) | ATTACK_VECTOR },
	{ "fixed to logical cluster 0 cpu 1", ICR_TO(0x2) | ICR_LOGICAL | ATTACK_VECTOR },
	{ "fixed to logical broadcast", ICR_TO(0xffffffffu) | ICR_LOGICAL | ATTACK_VECTOR },
	{ "nmi to all but self", ICR_ALL_BUT_SELF | ICR_NMI },
	{ "init to all but self", ICR_ALL_BUT_SELF | ICR_INIT },
	{ "nmi to self", ICR_SELF | ICR_NMI },
};

#define REFUSED_ICR_COUNT (sizeof(refused_icr) / sizeof(refused_icr[0]))
#define OWN_IPI_SPINS 10000000u

/* Waits, interrupts open, until the own IPIs reach `count` or the spins run out. */
static void take_own_ipis(uint32_t count)
{
	__asm__ volatile("sti" ::: "memory");
	for (uint32_t spin = 0; spin < OWN_IPI_SPINS && own_ipis < count; spin++)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
}

/*
 * Broadcast shorthands are confined to the sender's cell (docs/hypervisor.md):
 * in this one-CPU cell "all" reaches only itself and "all but self" nobody;
 * the ticker beside it counts the vector as a stray if either leaks.
 */
static void attempt_confined_broadcasts(void)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];
	uint32_t before = own_ipis;

	format_snprintf(attempt, sizeof(attempt), "icr 0x%lx fixed to all including self",
			(unsigned long)(ICR_ALL | ATTACK_VECTOR));
	wrmsr(X2APIC_ICR, ICR_ALL | ATTACK_VECTOR);
	take_own_ipis(before + 1);
	format_snprintf(result, sizeof(result), "reached itself %u time(s)", own_ipis - before);
	report(attempt, result);

	before = own_ipis;
	format_snprintf(attempt, sizeof(attempt), "icr 0x%lx fixed to all but self",
			(unsigned long)(ICR_ALL_BUT_SELF | ATTACK_VECTOR));
	/* Interrupts open: a wrong delivery to itself would be taken at once, not
	 * merged with the marker sent to itself behind it. */
	__asm__ volatile("sti" ::: "memory");
	wrmsr(X2APIC_ICR, ICR_ALL_BUT_SELF | ATTACK_VECTOR);
	wrmsr(X2APIC_ICR, ICR_TO(info->cpu_mpidr[0]) | ATTACK_VECTOR);
	take_own_ipis(before + 1);
	format_snprintf(result, sizeof(result), "reached itself %u time(s) with the marker",
			own_ipis - before);
	report(attempt, result);
}

static void attempt_ipis(void)
{
	uint32_t self = (uint32_t)info->cpu_mpidr[0];
	char attempt[ATTEMPT_TEXT_MAX];

	wrmsr(X2APIC_SVR, 0x100 | SPURIOUS_VECTOR);
	for (unsigned int i = 0; i < REFUSED_ICR_COUNT; i++)
		attempt_icr(refused_icr[i].what, refused_icr[i].icr);

	/* Control: a fixed IPI to its own APIC id is sent and arrives. */
	format_snprintf(attempt, sizeof(attempt), "icr 0x%lx fixed to own apic %u (control)",
			ICR_TO(self) | ATTACK_VECTOR, self);
	wrmsr(X2APIC_ICR, ICR_TO(self) | ATTACK_VECTOR);
	__asm__ volatile("sti" ::: "memory");
	for (uint32_t spin = 0; spin < OWN_IPI_SPINS && own_ipis == 0; spin++)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
	report(attempt, own_ipis == 1 ? "delivered once" : "NOT DELIVERED");
	attempt_confined_broadcasts();
}

/* ---- ports: not owned, so they exit; reads give all ones, writes are dropped ---- */

static void attempt_out8(const char *what, uint32_t port, uint32_t value, bool read_back)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "out port 0x%x value 0x%x %s", port, value, what);
	arm();
	probe_out8(port, value);
	if (!disarm(result, sizeof(result), false)) {
		if (read_back)
			format_snprintf(result, sizeof(result), "no fault (read back 0x%lx)",
					probe_in8(port));
		else
			format_snprintf(result, sizeof(result), "no fault");
	}
	report(attempt, result);
}

/*
 * The CMOS: its clock registers are readable (vmx/cmos_clock.c); the NVRAM
 * behind the same ports (0x0f: the firmware's shutdown status) and every
 * write are not, and the index's NMI-mask bit never reaches the chip.
 */
static void attempt_cmos(void)
{
	char result[ATTEMPT_TEXT_MAX];
	uint64_t before, after;

	attempt_out8("cmos index 0x8f (nmi mask, nvram shutdown status)", 0x70, 0x8f, true);
	format_snprintf(result, sizeof(result), "read 0x%lx", probe_in8(0x71));
	report("in port 0x71 cmos nvram 0x0f", result);
	attempt_out8("cmos data write (nvram)", 0x71, 0x0a, true);
	probe_out8(0x70, 0x0b); /* status B: a clock register, the same for every read */
	before = probe_in8(0x71);
	probe_out8(0x71, before ^ 0x04); /* flip binary/BCD mode: must not reach the chip */
	after = probe_in8(0x71);
	format_snprintf(result, sizeof(result), "%s (0x%lx, after a write 0x%lx)",
			before != 0xff && after == before ? "readable, write ignored"
							  : "NOT AS DOCUMENTED",
			before, after);
	report("cmos clock status b", result);
}

static void attempt_ports(void)
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	probe_out32(0xcf8, 0x80000000u);
	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "no fault (read back 0x%lx)",
				probe_in32(0xcf8));
	report("out port 0xcf8 value 0x80000000 pci config address", result);
	format_snprintf(result, sizeof(result), "read 0x%lx", probe_in32(0xcfc));
	report("in port 0xcfc pci config data", result);
	attempt_out8("reset control (pci reset)", 0xcf9, 0x06, true);
	attempt_out8("system control port a (fast reset)", 0x92, 0x01, true);
	attempt_out8("pic master icw1", 0x20, 0x11, false);
	attempt_out8("pic master mask all", 0x21, 0xff, true);
	attempt_out8("pic slave icw1", 0xa0, 0x11, false);
	attempt_out8("pit mode channel 0", 0x43, 0x30, false);
	attempt_out8("pit channel 0 count", 0x40, 0x01, true);
	attempt_out8("pit channel 2 count", 0x42, 0x01, true);
	attempt_out8("hypervisor uart (hv console)", 0x3f8, 'X', false);
	attempt_cmos();
}

/* ---- MSRs: an allow-list; everything else #GP ---- */

static void attempt_rdmsr(const char *what, uint32_t msr)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "rdmsr 0x%x %s", msr, what);
	arm();
	uint64_t value = probe_rdmsr(msr);

	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "read, no fault%s",
				value == PROBE_FAULTED ? " (value is the fault marker)" : "");
	report(attempt, result);
}

static void attempt_wrmsr(const char *what, uint32_t msr, uint64_t value)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "wrmsr 0x%x %s", msr, what);
	arm();
	probe_wrmsr(msr, value);
	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "written, no fault");
	report(attempt, result);
}

/* The microcode revision reads as fixed, whatever the cell writes (vmx/msr_fixed.c). */
static void attempt_microcode_revision(void)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "wrmsr 0x%x microcode revision, read back",
			MSR_BIOS_SIGN_ID);
	arm();
	probe_wrmsr(MSR_BIOS_SIGN_ID, 0x1234ull << 32);
	uint64_t value = probe_rdmsr(MSR_BIOS_SIGN_ID);

	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "written, no fault, reads 0x%llx",
				(unsigned long long)value);
	report(attempt, result);
}

static void attempt_msrs(void)
{
	uint64_t apic_base = rdmsr(MSR_IA32_APIC_BASE);
	uint64_t pat = rdmsr(MSR_PAT);
	uint64_t efer = rdmsr(MSR_IA32_EFER);

	attempt_wrmsr("apic base relocation", MSR_IA32_APIC_BASE,
		      (apic_base & 0xfff) | 0xfed00000u);
	attempt_wrmsr("apic base leave x2apic", MSR_IA32_APIC_BASE, apic_base & ~(1ull << 10));
	attempt_wrmsr("tsc", MSR_TSC, 0);
	attempt_rdmsr("tsc adjust", MSR_TSC_ADJUST);
	attempt_wrmsr("tsc adjust", MSR_TSC_ADJUST, 1ull << 40);
	attempt_wrmsr("pat invalid type 2", MSR_PAT, 0x0202020202020202ull);
	attempt_wrmsr("pat own valid value (control)", MSR_PAT, pat);
	attempt_rdmsr("mtrr cap", MSR_MTRR_CAP);
	attempt_wrmsr("mtrr default type uncached", MSR_MTRR_DEF_TYPE, 0x800);
	attempt_wrmsr("mtrr physbase0", MSR_MTRR_PHYSBASE0, 0x6);
	attempt_wrmsr("mtrr fix64k", MSR_MTRR_FIX64K, 0);
	attempt_wrmsr("debugctl", MSR_DEBUGCTL, 1);
	attempt_rdmsr("feature control", MSR_FEATURE_CONTROL);
	attempt_wrmsr("feature control", MSR_FEATURE_CONTROL, 0x5);
	attempt_wrmsr("misc enable", MSR_MISC_ENABLE, 0);
	attempt_wrmsr("smm monitor ctl", MSR_SMM_MONITOR_CTL, 1);
	attempt_wrmsr("bios update trigger", MSR_BIOS_UPDATE_TRIGGER, 0x4000000);
	attempt_microcode_revision();
	attempt_wrmsr("efer clear lme in long mode", MSR_IA32_EFER, efer & ~EFER_LME);
	attempt_wrmsr("efer reserved bit 1", MSR_IA32_EFER, efer | 2);
	attempt_wrmsr("fs base non-canonical", MSR_FS_BASE, 0x0000800000000000ull);
	attempt_wrmsr("gs base non-canonical", MSR_IA32_GS_BASE, 0x8000000000000000ull);
}

/* ---- control registers: values the CPU refuses must not reach the VMCS ---- */

static void attempt_cr(const char *what, bool cr4, uint64_t value)
{
	char attempt[ATTEMPT_TEXT_MAX], result[ATTEMPT_TEXT_MAX];

	format_snprintf(attempt, sizeof(attempt), "mov cr%u %s", cr4 ? 4 : 0, what);
	arm();
	if (cr4)
		probe_write_cr4(value);
	else
		probe_write_cr0(value);
	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "written, no fault");
	report(attempt, result);
}

static void attempt_control_registers(void)
{
	uint64_t cr0 = probe_read_cr0(), cr4 = probe_read_cr4();

	/* Each flips a bit VMX owns (NE, VMXE), so the write exits to the hypervisor. */
	attempt_cr("paging without protection", false, ((cr0 | CR0_PG) & ~CR0_PE) ^ CR0_NE);
	attempt_cr("bit 32", false, (cr0 | (1ull << 32)) ^ CR0_NE);
	attempt_cr("clear pae in long mode", true, (cr4 & ~CR4_PAE) ^ CR4_VMXE);
	attempt_cr("reserved bit 31", true, cr4 | (1ull << 31));
}

/* ---- VMX and cache instructions ---- */

static void attempt_insn(const char *attempt, uint64_t (*insn)(void))
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	insn();
	if (!disarm(result, sizeof(result), false))
		format_snprintf(result, sizeof(result), "executed, no fault");
	report(attempt, result);
}

/* A VMXON region in its own memory, with the revision a real VMXON would want. */
static uint64_t vmxon_own_region(void)
{
	static uint32_t region[1024] __attribute__((aligned(4096)));
	static uint64_t region_address;

	region[0] = 0x2b; /* Bochs' VMCS revision */
	region_address = (uint64_t)(uintptr_t)region;
	return probe_vmxon(&region_address);
}

static uint64_t vmptrld_hypervisor(void)
{
	static const uint64_t address = HYPERVISOR_MEMORY;

	return probe_vmptrld(&address);
}

static uint64_t vmclear_hypervisor(void)
{
	static const uint64_t address = HYPERVISOR_MEMORY;

	return probe_vmclear(&address);
}

static uint64_t vmread_exit_reason(void)
{
	return probe_vmread(0x4402);
}

static uint64_t vmwrite_ept_pointer(void)
{
	return probe_vmwrite(0x201a, TICKER_MEMORY | 0x1e);
}

static uint64_t invept_all(void)
{
	static const uint64_t descriptor[2] = { 0, 0 };

	return probe_invept(2, descriptor);
}

static uint64_t invvpid_all(void)
{
	static const uint64_t descriptor[2] = { 0, 0 };

	return probe_invvpid(2, descriptor);
}

static void attempt_instructions(void)
{
	uint64_t cr4 = probe_read_cr4();

	attempt_insn("vmxon", vmxon_own_region);
	/* With CR4.VMXE set in the cell's own view, VMXON exits and still fails. */
	attempt_cr("vmxe set (own view, control)", true, cr4 | CR4_VMXE);
	attempt_insn("vmxon with cr4.vmxe", vmxon_own_region);
	attempt_insn("vmptrld hypervisor memory", vmptrld_hypervisor);
	attempt_insn("vmclear hypervisor memory", vmclear_hypervisor);
	attempt_insn("vmread exit reason", vmread_exit_reason);
	attempt_insn("vmwrite ept pointer", vmwrite_ept_pointer);
	attempt_insn("vmlaunch", probe_vmlaunch);
	attempt_insn("vmresume", probe_vmresume);
	attempt_insn("vmxoff", probe_vmxoff);
	attempt_insn("invept all contexts", invept_all);
	attempt_insn("invvpid all contexts", invvpid_all);
	attempt_insn("vmfunc eptp switch", probe_vmfunc);
	probe_write_cr4(cr4);
	attempt_insn("invd", probe_invd);
	attempt_insn("wbinvd", probe_wbinvd);
}

/* ---- hypercalls with wild arguments ---- */

static void attempt_hcall(const char *attempt, uint64_t function, uint64_t a1, uint64_t a2,
			  uint64_t a3)
{
	char result[ATTEMPT_TEXT_MAX];

	arm();
	int64_t value = probe_vmcall(function, a1, a2, a3, 0, 0);

	if (!disarm(result, sizeof(result), false))
		bh_hypercall_result_text(result, sizeof(result), value);
	report(attempt, result);
}

static void attempt_hypercalls(void)
{
	static struct bh_cpu_stats stats;
	static const char text[] = "hostile\n";
	const struct bh_boot_region *own = &info->regions[0];
	uint64_t own_end = own->guest_phys + own->size_bytes;
	uint64_t buf = (uint64_t)(uintptr_t)&stats;

	attempt_hcall("console write ipa 0", BH_HC_CONSOLE_WRITE, 0, 8, 0);
	attempt_hcall("console write foreign ipa 0x6000000", BH_HC_CONSOLE_WRITE, TICKER_MEMORY, 8,
		      0);
	attempt_hcall("console write hypervisor ipa 0x100000", BH_HC_CONSOLE_WRITE,
		      HYPERVISOR_MEMORY, 8, 0);
	attempt_hcall("console write len 0x10000000", BH_HC_CONSOLE_WRITE,
		      (uint64_t)(uintptr_t)text, 0x10000000, 0);
	attempt_hcall("console write len 257 (max + 1)", BH_HC_CONSOLE_WRITE,
		      (uint64_t)(uintptr_t)text, 257, 0);
	attempt_hcall("console write crossing own region end", BH_HC_CONSOLE_WRITE, own_end - 16,
		      32, 0);
	attempt_hcall("console write ipa wraps 0xfffffffffffffff0 len 32", BH_HC_CONSOLE_WRITE,
		      0xfffffffffffffff0ull, 32, 0);
	attempt_hcall("cpu stats cpu 1000", BH_HC_CPU_STATS, 1000, buf, sizeof(stats));
	attempt_hcall("cpu stats cpu 0x100000000", BH_HC_CPU_STATS, 0x100000000ull, buf,
		      sizeof(stats));
	attempt_hcall("cpu stats buffer in foreign memory 0x6000000", BH_HC_CPU_STATS, 0,
		      TICKER_MEMORY, sizeof(stats));
	attempt_hcall("cpu stats buffer in hypervisor memory 0x100000", BH_HC_CPU_STATS, 0,
		      HYPERVISOR_MEMORY, sizeof(stats));
	attempt_hcall("cpu stats buffer crossing own region end", BH_HC_CPU_STATS, 0, own_end - 8,
		      sizeof(stats));
	attempt_hcall("cpu stats size 8 (too small)", BH_HC_CPU_STATS, 0, buf, 8);
	attempt_hcall("cell info buffer in foreign memory 0x6000000", BH_HC_CELL_INFO, BH_CELL_SELF,
		      TICKER_MEMORY, sizeof(struct bh_cell_info));
	attempt_hcall("cell info buffer in hypervisor memory 0x100000", BH_HC_CELL_INFO,
		      BH_CELL_SELF, HYPERVISOR_MEMORY, sizeof(struct bh_cell_info));
	attempt_hcall("cell info unknown cell 1000", BH_HC_CELL_INFO, 1000, buf,
		      sizeof(struct bh_cell_info));
	attempt_hcall("doorbell unknown channel 99", BH_HC_DOORBELL, 99, 0, 0);
	attempt_hcall("unknown hypercall 0xc6000100", BH_HC_BASE + 0x100, 0, 0, 0);
	attempt_hcall("unknown hypercall 0", 0, 0, 0, 0);
	attempt_hcall("unknown hypercall 0xffffffffffffffff", ~0ull, 0, 0, 0);
}

/* ---- the flood: busy at the boundary for the victims' whole run ---- */

static bool others_running(void)
{
	struct bh_cell_info self, other;

	if (bh_cell_info(BH_CELL_SELF, &self) < 0)
		return false;
	for (uint32_t id = 0; id < self.cell_count; id++)
		if (id != self.cell_id && bh_cell_info(id, &other) == 0 && other.state != 2)
			return true;
	return false;
}

static void flood_until_others_stopped(void)
{
	uint64_t calls = 0;

	while (others_running()) {
		for (unsigned int i = 0; i < REFUSED_ICR_COUNT; i++)
			wrmsr(X2APIC_ICR, refused_icr[i].icr);
		for (unsigned int i = 0; i < 16; i++, calls++)
			bh_hypercall(BH_HC_CPU_STATS, 0, TICKER_MEMORY, sizeof(struct bh_cpu_stats),
				     0, 0);
	}
	console_printf("hostile: hypercall flood until the other cells stopped: %lu calls\n",
		       calls);
}

int guest_main(const struct bh_boot_info *boot_info)
{
	info = boot_info;
	load_idt();
	attempt_memory();
	attempt_ioapic_pins();
	attempt_ipis();
	attempt_ports();
	attempt_msrs();
	attempt_control_registers();
	attempt_instructions();
	attempt_hypercalls();
	flood_until_others_stopped();
	console_printf("hostile: done\n");
	return 0;
}
