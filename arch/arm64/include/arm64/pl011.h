/* PL011 UART, polled, used as the hypervisor console. */
#ifndef ARM64_PL011_H
#define ARM64_PL011_H

#include <lib/types.h>

/* Sets the UART base found in the device tree; output before this is dropped. */
void pl011_init(uintptr_t base);

#endif
