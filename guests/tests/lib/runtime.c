/*
 * Boot flow of a test cell: check the boot info, run guest_main on the boot
 * CPU, start other CPUs on request, and leave through BH_HC_CELL_EXIT.
 * The boot info is trusted only after its magic, version and counts check.
 */
#include <bulkhead/hypercall.h>
#include <guest/boot_info_check.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/psci.h>
#include <guest/runtime.h>
#include <guest/sysreg.h>

#include <aarch64/boot_macros.h> /* checks its hypercall numbers against the ABI */

/* start.S */
extern char guest_secondary_entry[];

static const struct bh_boot_info *boot_info;
/* Written by the boot CPU before CPU_ON, read by the started CPU. */
static void (*volatile secondary_entries[GUEST_MAX_CPUS])(unsigned int index);

const struct bh_boot_info *guest_boot_info(void)
{
	return boot_info;
}

__attribute__((noreturn)) void bh_cell_exit(int code)
{
	bh_hypercall(BH_HC_CELL_EXIT, (uint64_t)(int64_t)code, 0, 0, 0, 0);
	/* Only a broken hypervisor returns here; stay quiet rather than run on. */
	irq_mask();
	for (;;)
		wait_for_interrupt();
}

/* start.S, boot CPU, on stack 0 with .bss cleared. */
void guest_boot_main(uint64_t boot_info_ipa)
{
	boot_info = guest_accept_boot_info(boot_info_ipa);
	bh_cell_exit(guest_main(boot_info));
}

/* start.S, a CPU started by guest_start_cpu, on its own stack. */
void guest_secondary_main(unsigned int index)
{
	void (*entry)(unsigned int) = secondary_entries[index];

	if (!entry) {
		console_printf("guest: cpu %u started without an entry function\n", index);
		bh_cell_exit(GUEST_EXIT_BAD_BOOT_INFO);
	}
	entry(index);
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	console_printf("guest: cpu %u: PSCI CPU_OFF returned\n", index);
	irq_mask();
	for (;;)
		wait_for_interrupt();
}

int64_t guest_start_cpu(unsigned int index, void (*entry)(unsigned int index))
{
	if (index == 0 || index >= boot_info->cpu_count)
		return PSCI_E_INVALID_PARAMETERS;
	secondary_entries[index] = entry;
	/* The store must be complete before the new CPU can read it (MMU off: no caches). */
	__asm__ volatile("dsb ish" : : : "memory");
	/* PSCI takes the affinity fields only, not MPIDR bits such as RES1 bit 31. */
	return psci_cpu_on(mpidr_affinity(boot_info->cpu_mpidr[index]),
			   guest_ipa(guest_secondary_entry), index);
}
