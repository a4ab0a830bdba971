/*
 * Single instructions hostile.c expects to fault. They sit between
 * __probe_start and __probe_end (guest.ld) so its exception hook resumes
 * only here, at the faulting instruction + 4. The dsb/isb pulls an SError
 * caused by the access in before the probe returns.
 */
	.section .text.probe, "ax"

.macro probe name
	.global \name
	.type	\name, %function
\name:
.endm

/* uint64_t probe_read64(uint64_t addr): on a fault x0 comes back as addr. */
probe probe_read64
	ldr	x0, [x0]
	dsb	sy
	isb
	ret

probe probe_read32
	ldr	w0, [x0]
	dsb	sy
	isb
	ret

/* void probe_write64(uint64_t addr, uint64_t value) */
probe probe_write64
	str	x1, [x0]
	dsb	sy
	isb
	ret

probe probe_write32
	str	w1, [x0]
	dsb	sy
	isb
	ret

/* int64_t probe_hvc(function, a1..a5); on a fault x0 comes back as function. */
probe probe_hvc
	hvc	#0
	ret

/* int64_t probe_smc(function, a1..a3) */
probe probe_smc
	smc	#0
	ret

/* void probe_write_sgi1r(uint64_t value) */
probe probe_write_sgi1r
	msr	icc_sgi1r_el1, x0
	isb
	ret

/* void probe_write_asgi1r(uint64_t value): Group 1 SGI for the other Security state */
probe probe_write_asgi1r
	msr	icc_asgi1r_el1, x0
	isb
	ret

/* void probe_write_sgi0r(uint64_t value): Group 0 SGI */
probe probe_write_sgi0r
	msr	icc_sgi0r_el1, x0
	isb
	ret

/* void probe_enable_icc_sre(void): ICC_SRE_EL1 = SRE|DFB|DIB */
probe probe_enable_icc_sre
	mov	x0, #7
	msr	icc_sre_el1, x0
	isb
	ret
