/*
 * The x86-64 test-cell runtime (start.asm, runtime.c): what a test program
 * gets. The arm64 runtime has the same name in guests/tests/lib/include;
 * each arch's build puts its own first.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bulkhead/bootinfo.h>
#include <guest/asm.h>

/* The program's main, on the boot CPU; its result is the cell's exit code. */
int guest_main(const struct bh_boot_info *boot_info);

const struct bh_boot_info *guest_boot_info(void);

/* start.asm, boot CPU, in long mode with .bss cleared. */
void guest_boot_main(uint64_t boot_info_gpa);

/* Bulkhead's CPUID leaves (docs/hypervisor.md): 0 when not under Bulkhead. */
bool guest_cpuid_bulkhead(uint32_t *cell_id, uint32_t *logical_cpu);

#endif
