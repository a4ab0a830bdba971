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

/* void probe_write_dir(uint64_t intid): deactivate an interrupt (trapped by TDIR) */
probe probe_write_dir
	msr	icc_dir_el1, x0
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

/* ---- for the attack catalogue (catalogue.c) ---- */

probe probe_read16
	ldrh	w0, [x0]
	dsb	sy
	isb
	ret

probe probe_read8
	ldrb	w0, [x0]
	dsb	sy
	isb
	ret

probe probe_write16
	strh	w1, [x0]
	dsb	sy
	isb
	ret

probe probe_write8
	strb	w1, [x0]
	dsb	sy
	isb
	ret

/* uint64_t probe_ldp(addr): a pair load, which leaves ESR_EL2.ISV clear at stage 2 */
probe probe_ldp
	ldp	x0, x1, [x0]
	dsb	sy
	isb
	add	x0, x0, x1
	ret

/* uint64_t probe_ldxr(addr): an exclusive load (ISV clear at stage 2) */
probe probe_ldxr
	ldxr	x0, [x0]
	dsb	sy
	isb
	ret

/* uint64_t probe_stxr(addr, value): exclusive store; returns its status (0 stored) */
probe probe_stxr
	mov	x2, #2
	stxr	w2, x1, [x0]
	dsb	sy
	isb
	mov	x0, x2
	ret

/* Cache maintenance by address: invalidate, clean+invalidate, zero a block. */
probe probe_dc_ivac
	dc	ivac, x0
	dsb	sy
	isb
	ret

probe probe_dc_civac
	dc	civac, x0
	dsb	sy
	isb
	ret

probe probe_dc_zva
	dc	zva, x0
	dsb	sy
	isb
	ret

/* void probe_dc_cisw_all(sets_ways, count): clean+invalidate `count` set/way operands */
probe probe_dc_cisw_loop
1:	dc	cisw, x0
	add	x0, x0, #0x40
	subs	x1, x1, #1
	b.ne	1b
	dsb	sy
	isb
	ret

/* void probe_tlbi_storm(count): broadcast TLB invalidations */
probe probe_tlbi_storm
1:	tlbi	vmalle1is
	subs	x0, x0, #1
	b.ne	1b
	dsb	ish
	isb
	ret

/* EL2 registers named from EL1: UNDEFINED at EL1 (never reach EL2). */
probe probe_write_cntvoff_el2
	msr	cntvoff_el2, x0
	isb
	ret

probe probe_write_cnthctl_el2
	msr	cnthctl_el2, x0
	isb
	ret

probe probe_read_hcr_el2
	mrs	x0, hcr_el2
	ret

probe probe_write_vbar_el2
	msr	vbar_el2, x0
	isb
	ret

probe probe_write_cnthp_ctl_el2
	msr	cnthp_ctl_el2, x0
	isb
	ret

/* PMU: uint64_t probe_pmu_setup(pmccfiltr) enables the cycle counter with that filter. */
probe probe_pmu_setup
	msr	pmccfiltr_el0, x0
	mov	x1, #(1 << 31)
	msr	pmcntenset_el0, x1
	mrs	x1, pmcr_el0
	mov	x2, #0x5		/* E, C (reset the cycle counter) */
	orr	x1, x1, x2
	msr	pmcr_el0, x1
	isb
	mrs	x0, pmccfiltr_el0
	ret

probe probe_read_pmccntr
	isb
	mrs	x0, pmccntr_el0
	ret

probe probe_read_pmcr
	mrs	x0, pmcr_el0
	ret

/* Debug: breakpoint 0 at x0 (EL1, all byte lanes), watchpoint 0 at x1 (EL1, 8 bytes, RW). */
probe probe_debug_arm
	msr	oslar_el1, xzr
	msr	dbgbvr0_el1, x0
	mov	x2, #((0xf << 5) | (1 << 1) | 1)	/* BAS all, PMC EL1, enable */
	msr	dbgbcr0_el1, x2
	msr	dbgwvr0_el1, x1
	mov	x2, #((0xff << 5) | (3 << 3) | (1 << 1) | 1)	/* BAS 8 bytes, load+store, EL1 */
	msr	dbgwcr0_el1, x2
	mrs	x2, mdscr_el1
	orr	x2, x2, #(1 << 13)	/* KDE */
	orr	x2, x2, #(1 << 15)	/* MDE */
	msr	mdscr_el1, x2
	isb
	msr	daifclr, #8
	isb
	ret

probe probe_debug_disarm
	msr	daifset, #8
	msr	dbgbcr0_el1, xzr
	msr	dbgwcr0_el1, xzr
	isb
	ret

/* The instruction a control breakpoint stops at. */
probe probe_breakpoint_target
	nop
	ret
