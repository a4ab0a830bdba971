/* PSCI calls through SMC (SMC Calling Convention: x0 function, x1-x3 args). */
#include <arm64/psci.h>
#include <bulkhead/errno.h>

int64_t psci_call(uint64_t function, uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = arg0;
	register uint64_t x2 __asm__("x2") = arg1;
	register uint64_t x3 __asm__("x3") = arg2;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

int psci_to_bh_error(int64_t ret)
{
	switch (ret) {
	case PSCI_SUCCESS:
		return 0;
	case PSCI_NOT_SUPPORTED:
		return -BH_ENOSYS;
	case PSCI_INVALID_PARAMETERS:
		return -BH_EINVAL;
	case PSCI_DENIED:
		return -BH_EPERM;
	case PSCI_ALREADY_ON:
	case PSCI_ON_PENDING:
		return -BH_EBUSY;
	case PSCI_NOT_PRESENT:
	case PSCI_DISABLED:
		return -BH_ENODEV;
	case PSCI_INVALID_ADDRESS:
		return -BH_EFAULT;
	case PSCI_INTERNAL_FAILURE:
	default:
		return -BH_EIO;
	}
}
