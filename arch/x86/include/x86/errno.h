/*
 * Error numbers the x86 layer returns through the arch hooks (negated).
 * Values follow Linux so they read familiar in messages; replace with the
 * project-wide BH_E* codes once abi/include/bulkhead defines them.
 */
#ifndef X86_ERRNO_H
#define X86_ERRNO_H

#define X86_EINVAL 22
#define X86_ENODEV 19
#define X86_ETIMEDOUT 110

#endif
