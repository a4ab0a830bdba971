/* What hello asks of each architecture (hello_arm64.c, hello_x86.c). */
#ifndef HELLO_ARCH_H
#define HELLO_ARCH_H

#include <bulkhead/bootinfo.h>

/* Prints the cell's CPUs and the running CPU's identity; 0 if it is as expected. */
int hello_check_cpu(const struct bh_boot_info *info);

/* Prints the interrupt controller addresses the boot info gives. */
void hello_print_irqchip(const struct bh_boot_info *info);

#endif
