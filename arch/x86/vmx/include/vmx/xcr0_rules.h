/*
 * The rules XSETBV applies to a new XCR0 value (SDM vol. 1 sec. 13.3, "Enabling
 * the XSAVE Feature Set and XSAVE-Enabled Features", and the XSETBV entry in
 * vol. 2): pure functions, so the host unit test (tests/unit/test_xcr0_rules.c)
 * checks them without a CPU.
 */
#ifndef VMX_XCR0_RULES_H
#define VMX_XCR0_RULES_H

#include <stdint.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREGS (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)
#define XCR0_PKRU (1ull << 9)
#define XCR0_MPX (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)

/*
 * The state components a cell may enable when the CPU has them: those whose
 * XSETBV rules are below. Others (AMX tiles, which need XFD and a permission
 * protocol; components this code does not know) stay hidden from the cell.
 */
#define XCR0_CELL_KNOWN (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU)

/*
 * Why XSETBV of `value` into XCR `index` faults (#GP(0)) when the cell may
 * enable the components in `allowed`, or NULL when it is a valid XCR0.
 */
const char *xcr0_refusal(uint32_t index, uint64_t value, uint64_t allowed);

#endif
