/*
 * Machine power control. The exit code reaches the emulator where the
 * platform allows it (semihosting on QEMU arm64); otherwise the console
 * markers of hv/panic.h decide pass or fail.
 */
#ifndef ARCH_POWER_H
#define ARCH_POWER_H

#include <lib/types.h>

/* Powers the machine off; exit_code 0 means success. */
noreturn_fn void arch_system_off(int exit_code);

#endif
