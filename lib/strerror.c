/* bh_strerror (lib/strerror.h): one switch over BH_ERRNO_LIST. */
#include <lib/strerror.h>

#define BH_ERRNO_CASE(code, text) \
	case code: \
		return text;

const char *bh_strerror(int err)
{
	/* Unsigned negation: INT_MIN has no positive int. */
	unsigned int code = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	switch (code) {
	case 0:
		return "no error";
		BH_ERRNO_LIST(BH_ERRNO_CASE)
	default:
		return "unknown error";
	}
}
