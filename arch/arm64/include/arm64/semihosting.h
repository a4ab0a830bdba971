/*
 * Arm semihosting, used only in emulation (build option `semihosting`) to
 * hand the run's exit code to QEMU. On a real board without a debugger the
 * HLT would be an undefined instruction, so the option must be off there.
 */
#ifndef ARM64_SEMIHOSTING_H
#define ARM64_SEMIHOSTING_H

#include <lib/types.h>

noreturn_fn void semihosting_exit(int exit_code);

/* Writes `len` bytes to the emulator's semihosting console (SYS_WRITE0 per chunk). */
void semihosting_write(const char *text, size_t len);

#endif
