/* Starting application processors through the real-mode trampoline. */
#ifndef X86_SMP_H
#define X86_SMP_H

#include <hv/platform.h>

/*
 * Picks the trampoline page from RAM below 1 MiB and copies the code there.
 * Call after the multiboot2 information was parsed (it may live there).
 * Returns 0, -BH_ENOMEM (no free page there) or -BH_E2BIG (trampoline too big).
 */
int x86_smp_init(const struct platform *plat);

#endif
