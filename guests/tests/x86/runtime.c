/*
 * Boot flow of an x86-64 test cell: check the boot info, run guest_main on
 * the boot CPU and leave through BH_HC_CELL_EXIT; hypercalls through VMCALL.
 * The boot info is trusted only after its magic, version and counts check.
 */
#include <bulkhead/hypercall.h>
#include <guest/boot_info_check.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/runtime.h>
#include <x86_64/insn.h>

#define CPUID_LEAF_HV_SIGNATURE 0x40000000u
#define CPUID_LEAF_HV_CELL 0x40000001u
#define SIGNATURE_EBX 0x6b6c7542u /* "Bulk" */
#define SIGNATURE_ECX 0x64616568u /* "head" */

static const struct bh_boot_info *boot_info;

const struct bh_boot_info *guest_boot_info(void)
{
	return boot_info;
}

/* VMCALL with RAX = function, RDI RSI RDX RCX R8 = arguments; result in RAX. */
int64_t bh_hypercall(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	register uint64_t r8 __asm__("r8") = a5;
	int64_t result;

	__asm__ volatile("vmcall"
			 : "=a"(result)
			 : "a"(function), "D"(a1), "S"(a2), "d"(a3), "c"(a4), "r"(r8)
			 : "memory");
	return result;
}

__attribute__((noreturn)) void bh_cell_exit(int code)
{
	bh_hypercall(BH_HC_CELL_EXIT, (uint64_t)(int64_t)code, 0, 0, 0, 0);
	/* Only a broken hypervisor returns here; stay quiet rather than run on. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool guest_cpuid_bulkhead(uint32_t *cell_id, uint32_t *logical_cpu)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_HV_SIGNATURE, 0);

	if (r.ebx != SIGNATURE_EBX || r.ecx != SIGNATURE_ECX || r.eax < CPUID_LEAF_HV_CELL)
		return false;
	r = cpuid(CPUID_LEAF_HV_CELL, 0);
	*cell_id = r.eax;
	*logical_cpu = r.ebx;
	return true;
}

/* The CPU's own logical number comes from Bulkhead's CPUID leaf. */
int guest_find_own_logical_cpu(uint32_t cell_id)
{
	uint32_t cell, cpu;

	if (!guest_cpuid_bulkhead(&cell, &cpu) || cell != cell_id)
		return -1;
	return (int)cpu;
}

void guest_boot_main(uint64_t boot_info_gpa)
{
	boot_info = guest_accept_boot_info(boot_info_gpa);
	bh_cell_exit(guest_main(boot_info));
}
