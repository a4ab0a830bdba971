/*
 * The application-processor trampoline (arch/x86/ap_trampoline.asm), shared
 * by the hypervisor and the bare realtime kernel: position independent, copied
 * to a free page below 1 MiB that the SIPI vector names; it enters long mode
 * with the parameter block's CR3 and jumps to `entry(cpu)` on `stack_top`
 * with its own GDT (selectors 0x18 code, 0x10 data), which the caller
 * replaces. One AP at a time runs it (one parameter block).
 */
#ifndef X86_64_AP_TRAMPOLINE_H
#define X86_64_AP_TRAMPOLINE_H

#include <stdint.h>

/* Layout of the block at offset 8 of ap_trampoline.asm; keep in step. */
struct x86_trampoline_params {
	uint64_t cr3;
	uint64_t stack_top;
	uint64_t entry;
	uint64_t cpu;
	uint64_t alive; /* set to 1 by the AP as soon as it runs */
};

#define TRAMPOLINE_PARAMS_OFFSET 8
/* SDM vol. 3 sec. 8.4.4: INIT, 10 ms, SIPI, 200 us, a second SIPI only if the
 * AP has not run yet. */
#define TRAMPOLINE_INIT_TO_SIPI_US 10000
#define TRAMPOLINE_SIPI_TO_SIPI_US 200

extern const uint8_t x86_trampoline_start[];
extern const uint8_t x86_trampoline_end[];

#endif
