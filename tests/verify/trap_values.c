/*
 * Prints the hypervisor's trap configuration constants (arm64/trap_config.h,
 * vmx/trap_config.h) as "NAME 0xVALUE" lines and the MSR pass-through table
 * as "MSR first last read write" lines, for tests/verify/test_trap_table.py.
 */
#include <stdio.h>

#include <arm64/trap_config.h>
#include <vmx/trap_config.h>

#define PRINT(name) printf("%s 0x%llx\n", #name, (unsigned long long)(name))

int main(void)
{
	const struct vmx_msr_pass *pass = vmx_direct_msr_pass;

	PRINT(HCR_DIRECT);
	PRINT(HCR_VIRTUAL);
	PRINT(ICH_HCR_DIRECT);
	PRINT(ICH_HCR_VIRTUAL);
	PRINT(CNTHCTL_CELL);
	PRINT(CPTR_CELL);
	PRINT(MDCR_DIRECT);
	PRINT(MDCR_VIRTUAL);
	PRINT(VMX_PIN_CELL);
	PRINT(VMX_PROC_DIRECT);
	PRINT(VMX_PROC_VIRTUAL);
	PRINT(VMX_PROC2_CELL);
	PRINT(VMX_EXIT_CELL);
	PRINT(VMX_ENTRY_CELL);
	PRINT(VMX_EXCEPTION_BITMAP_CELL);
	PRINT(VMX_BITMAP_ALL_EXIT);
	for (size_t i = 0; i < sizeof(vmx_direct_msr_pass) / sizeof(pass[0]); i++)
		printf("MSR 0x%x 0x%x %u %u\n", pass[i].first, pass[i].last, pass[i].read,
		       pass[i].write);
	return 0;
}
