/*
 * MSRs whose value a cell may read but the hypervisor fixes instead of
 * passing the CPU's (vmx/msr_fixed.c).
 */
#ifndef VMX_MSR_FIXED_H
#define VMX_MSR_FIXED_H

#include <stdbool.h>
#include <stdint.h>

/* The fixed value of `msr` in *value, or false when it has none. */
bool msr_fixed_read(uint32_t msr, uint64_t *value);

/* Is a write of `value` to `msr` accepted and dropped (the value stays fixed)? */
bool msr_fixed_write_dropped(uint32_t msr, uint64_t value);

#endif
