/*
 * Numbers shared by the runtime's assembly and C (hypercall numbers for
 * assembly: aarch64/boot_macros.h).
 */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#define GUEST_MAX_CPUS 16
#define GUEST_STACK_BYTES 16384

/* RES1 bits of ARMv8.0 SCTLR_EL1 plus SA/SA0 (stack alignment checks); M, C, I, A clear. */
#define SCTLR_EL1_MMU_OFF 0x30d00818

/* Exit codes the runtime itself uses; programs use 0 (pass) and 1 (fail). */
#define GUEST_EXIT_UNEXPECTED_EXCEPTION 2
#define GUEST_EXIT_BAD_BOOT_INFO 3
#define GUEST_EXIT_WRONG_LOAD_ADDRESS 4

#endif
