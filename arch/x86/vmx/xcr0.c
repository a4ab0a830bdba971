/*
 * A cell's XCR0 (vmx/xcr0.h). A cell may enable the state components the CPU
 * supports (CPUID.(EAX=0DH,ECX=0):EDX:EAX) that vmx/xcr0_rules.h knows; leaf
 * 0xD shows exactly those, with the sizes they need, so that Linux sizes its
 * XSAVE buffers for what XSETBV will accept. XSAVES stays hidden
 * (vmx/guest_features.c), so no supervisor component (IA32_XSS) is listed.
 * CPUID runs in VMX root, where OSXSAVE and OSPKE would show the hypervisor's
 * CR4: they are replaced by the cell's.
 */
#include <bulkhead/stats.h>
#include <hv/console.h>
#include <hv/platform.h>
#include <hv/stats.h>
#include <vmx/guest_regs.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>
#include <vmx/xcr0.h>
#include <vmx/xcr0_rules.h>

#define LEAF1_ECX_XSAVE (1u << 26)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF7_ECX_OSPKE (1u << 4)
#define X86_CR4_OSXSAVE (1ull << 18)
#define X86_CR4_PKE (1ull << 22)
#define LEAF_XSAVE 0xdu
#define XSAVE_SUBLEAF_MAIN 0u
#define XSAVE_SUBLEAF_FEATURES 1u
#define XSAVE_FIRST_COMPONENT_LEAF 2u
#define XSAVE_LAST_COMPONENT 62u
#define XSAVE_COMPONENT_ALIGNED_64 (1u << 1)
/* The legacy region and the XSAVE header: the size of an x87-only XSAVE area. */
#define XSAVE_LEGACY_AND_HEADER_BYTES 576u
#define REFUSALS_PRINTED 8

/* Per CPU, written only by that CPU. */
static unsigned int refusals_printed[HV_MAX_CPUS];

static bool cpu_has_xsave(void)
{
	return cpuid(1, 0).ecx & LEAF1_ECX_XSAVE;
}

static uint64_t cell_allowed(void)
{
	if (!cpu_has_xsave())
		return 0;

	struct cpuid_regs r = cpuid(LEAF_XSAVE, XSAVE_SUBLEAF_MAIN);

	return (r.eax | (uint64_t)r.edx << 32) & XCR0_CELL_KNOWN;
}

static inline void xsetbv(uint32_t index, uint64_t value)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

uint64_t xcr0_host_cr4_bits(void)
{
	return cpu_has_xsave() ? X86_CR4_OSXSAVE : 0;
}

void xcr0_reset(void)
{
	if (cpu_has_xsave())
		xsetbv(0, XCR0_X87);
}

/*
 * The CPU checks CPL and CR4.OSXSAVE before it exits (SDM vol. 3 sec. 26.1.1,
 * faults based on privilege level and #UD have priority over the VM exit), so
 * only the value is left to check.
 */
void vmx_handle_xsetbv(struct vmx_exit *exit)
{
	uint64_t *g = exit->regs->r;
	uint32_t index = (uint32_t)g[REG_RCX];
	uint64_t value = (uint32_t)g[REG_RAX] | (uint64_t)(uint32_t)g[REG_RDX] << 32;
	const char *why = xcr0_refusal(index, value, cell_allowed());

	stats_count_entry(exit->cpu, BH_ENTRY_SYSREG);
	if (!why) {
		xsetbv(0, value);
		vmx_skip_instruction();
		return;
	}
	vmx_inject_gp();
	if (exit->cpu < HV_MAX_CPUS && refusals_printed[exit->cpu] < REFUSALS_PRINTED) {
		refusals_printed[exit->cpu]++;
		console_print("hv: cell \"%s\" cpu %u: XSETBV of 0x%llx to XCR%u refused (%s; the "
			      "cell may enable 0x%llx); #GP(0) to the cell\n",
			      cell_name(exit->cell), exit->cpu, (unsigned long long)value, index,
			      why, (unsigned long long)cell_allowed());
	}
}

/* The XSAVE area's size in the standard format when every allowed component is enabled. */
static uint32_t max_area_bytes(uint64_t allowed)
{
	uint32_t bytes = XSAVE_LEGACY_AND_HEADER_BYTES;

	for (uint32_t i = XSAVE_FIRST_COMPONENT_LEAF; i <= XSAVE_LAST_COMPONENT; i++) {
		if (!(allowed & (1ull << i)))
			continue;

		struct cpuid_regs c = cpuid(LEAF_XSAVE, i);

		if (c.ebx + c.eax > bytes)
			bytes = c.ebx + c.eax;
	}
	return bytes;
}

/*
 * The compacted XSAVE area's size for the components enabled in the CPU's XCR0 (IA32_XSS is
 * 0: XSAVES is hidden), as the SDM defines leaf 0xD.1 EBX: the legacy region and header, then
 * each enabled component in order, 64-byte aligned where its sub-leaf's ECX bit 1 says so.
 * Computed rather than passed through: Bochs answers with the standard format's size, Linux
 * then finds its own sum differs ("XSAVE consistency problem") and gives up XSAVE.
 */
static uint32_t compacted_area_bytes(uint64_t enabled)
{
	uint32_t bytes = XSAVE_LEGACY_AND_HEADER_BYTES;

	for (uint32_t i = XSAVE_FIRST_COMPONENT_LEAF; i <= XSAVE_LAST_COMPONENT; i++) {
		if (!(enabled & (1ull << i)))
			continue;

		struct cpuid_regs c = cpuid(LEAF_XSAVE, i);

		if (c.ecx & XSAVE_COMPONENT_ALIGNED_64)
			bytes = (bytes + 63u) & ~63u;
		bytes += c.eax;
	}
	return bytes;
}

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void xsave_leaf(uint32_t subleaf, struct cpuid_regs *r)
{
	uint64_t allowed = cell_allowed();

	if (subleaf == XSAVE_SUBLEAF_MAIN) {
		/* EBX, the size for the XCR0 enabled now, is the CPU's: XCR0 is the cell's. */
		r->eax = (uint32_t)allowed;
		r->edx = (uint32_t)(allowed >> 32);
		r->ecx = max_area_bytes(allowed);
	} else if (subleaf == XSAVE_SUBLEAF_FEATURES) {
		r->ebx = compacted_area_bytes(xgetbv0()); /* XCR0 is the cell's */
		r->ecx = 0; /* no IA32_XSS components: XSAVES is hidden */
		r->edx = 0;
	} else if (subleaf <= XSAVE_LAST_COMPONENT && !(allowed & (1ull << subleaf))) {
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

void xcr0_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	uint64_t cr4 = vmread(VMCS_GUEST_CR4);

	if (leaf == 1)
		r->ecx = (r->ecx & ~LEAF1_ECX_OSXSAVE) |
			 ((cr4 & X86_CR4_OSXSAVE) ? LEAF1_ECX_OSXSAVE : 0);
	if (leaf == 7 && subleaf == 0)
		r->ecx = (r->ecx & ~LEAF7_ECX_OSPKE) | ((cr4 & X86_CR4_PKE) ? LEAF7_ECX_OSPKE : 0);
	if (leaf == LEAF_XSAVE && cpu_has_xsave())
		xsave_leaf(subleaf, r);
}
