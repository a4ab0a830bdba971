/*
 * XSETBV's checks, in the order the SDM lists them (vmx/xcr0_rules.h). The
 * hypervisor writes a cell's XCR0 into the CPU itself, in VMX root, so a value
 * the CPU would refuse must be refused here first: the hypervisor's own XSETBV
 * would fault.
 */
#include <stddef.h>
#include <vmx/xcr0_rules.h>

const char *xcr0_refusal(uint32_t index, uint64_t value, uint64_t allowed)
{
	if (index != 0)
		return "not XCR0";
	if (value & ~allowed)
		return "a state component the cell does not have";
	if (!(value & XCR0_X87))
		return "x87 state cleared";
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return "AVX without SSE";
	if ((value & XCR0_MPX) && (value & XCR0_MPX) != XCR0_MPX)
		return "only one of the two MPX components";
	if ((value & XCR0_AVX512) && (value & XCR0_AVX512) != XCR0_AVX512)
		return "only part of the AVX-512 components";
	if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
		return "AVX-512 without AVX";
	return NULL;
}
