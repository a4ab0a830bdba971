/*
 * The two conduits a cell has: HVC #0 for Bulkhead hypercalls and SMC #0
 * for PSCI (emulated by the hypervisor for the cell's own CPUs). Both take
 * the function in x0 and arguments in x1..x5, the C calling convention's
 * own registers, and return x0; nothing is kept across the call.
 */
	.text
	.global bh_hypercall
	.type	bh_hypercall, %function
bh_hypercall:
	hvc	#0
	ret
	.size	bh_hypercall, . - bh_hypercall

	.global psci_call
	.type	psci_call, %function
psci_call:
	smc	#0
	ret
	.size	psci_call, . - psci_call
