/*
 * Numbers shared by the runtime's assembly and C. Assembly cannot include
 * the ABI headers (they pull in <stdint.h>), so runtime.c checks that the
 * hypercall numbers here equal bulkhead/hypercall.h's.
 */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#define GUEST_MAX_CPUS 16
#define GUEST_STACK_BYTES 16384

/* RES1 bits of ARMv8.0 SCTLR_EL1 plus SA/SA0 (stack alignment checks); M, C, I, A clear. */
#define SCTLR_EL1_MMU_OFF 0x30d00818

#define ASM_HC_CONSOLE_WRITE 0xc6000001
#define ASM_HC_CELL_EXIT 0xc6000006

/* Exit codes the runtime itself uses; programs use 0 (pass) and 1 (fail). */
#define GUEST_EXIT_UNEXPECTED_EXCEPTION 2
#define GUEST_EXIT_BAD_BOOT_INFO 3
#define GUEST_EXIT_WRONG_LOAD_ADDRESS 4

#endif
