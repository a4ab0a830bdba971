/*
 * Entry points from the arch layer into the core. The arch's early code sets
 * up a stack, exception vectors and the console, fills a struct platform, and
 * then never returns from these.
 */
#ifndef HV_BOOT_H
#define HV_BOOT_H

#include <hv/platform.h>

/* Boot CPU (logical 0): brings up the others and runs the boot flow. */
noreturn_fn void hv_boot_main(const struct platform *plat);

/* A secondary CPU, started by arch_cpu_start(), arrives here on its own stack. */
noreturn_fn void hv_secondary_main(unsigned int cpu);

#endif
