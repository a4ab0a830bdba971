/*
 * What a cell's CPU traps to EL2, per cell mode: the values cell_arch.c and
 * vgic.c write into HCR_EL2, ICH_HCR_EL2, CNTHCTL_EL2, CPTR_EL2 and
 * MDCR_EL2 (its HPMN field is PMCR_EL0.N, read at entry: cell_arch.c). docs/design.md ("Trap
 * configuration") gives the reason for every bit; tests/verify/test_trap_table.py compiles this
 * header and fails when a value and that table disagree. Only #defines: the host test includes it.
 */
#ifndef ARM64_TRAP_CONFIG_H
#define ARM64_TRAP_CONFIG_H

/* HCR_EL2 */
#define HCR_VM (1ull << 0)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_TSC (1ull << 19)
#define HCR_RW (1ull << 31)
#define HCR_DIRECT (HCR_VM | HCR_AMO | HCR_TSC | HCR_RW)
#define HCR_VIRTUAL (HCR_DIRECT | HCR_IMO | HCR_FMO)

/* ICH_HCR_EL2. A direct cell's CPU interface is its own, but its ICC_DIR_EL1 writes trap
 * (TDIR, where ICH_VTR_EL2.TDS says the GIC has it: gicv3.c), the one register through
 * which it could end the active state of another cell's interrupt. */
#define ICH_HCR_EN (1ull << 0)
#define ICH_HCR_UIE (1ull << 1) /* only while list registers are short (vgic.c step 5) */
#define ICH_HCR_TDIR (1ull << 14)
#define ICH_HCR_VIRTUAL ICH_HCR_EN
#define ICH_HCR_DIRECT ICH_HCR_TDIR

/* CNTHCTL_EL2 (non-VHE): EL1PCTEN | EL1PCEN, the EL1 physical counter and timer without a trap. */
#define CNTHCTL_CELL 0x3ull

/* CPTR_EL2 (non-VHE): the RES1 bits 0-7, 9 and 13, plus TZ (bit 8) and TSM (bit 12), which
 * trap SVE and SME; TFP (bit 10) = 0: FP/SIMD never traps (the hypervisor never touches it). */
#define CPTR_CELL 0x33ffull

/* MDCR_EL2: no event counts at EL2 (HPMD); a virtual cell's PMU accesses trap (TPM, TPMCR). */
#define MDCR_TPMCR (1ull << 5)
#define MDCR_TPM (1ull << 6)
#define MDCR_HPMD (1ull << 17)
#define MDCR_DIRECT MDCR_HPMD
#define MDCR_VIRTUAL (MDCR_HPMD | MDCR_TPM | MDCR_TPMCR)

#endif
