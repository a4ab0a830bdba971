/* Hypercall dispatch (bulkhead/hypercall.h), called by the arch trap handler. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/cell.h>

/* Whether `function` is one of ours (otherwise the arch may try PSCI etc.). */
bool hcall_is_bulkhead(uint64_t function);

/* Runs hypercall `function` for `cell` on logical CPU `cpu`; returns x0's value. */
int64_t hcall_dispatch(struct cell *cell, unsigned int cpu, uint64_t function,
		       const uint64_t args[5]);

#endif
