/*
 * Where the hypervisor lives: linked at KERNEL_VMA + physical address (the
 * kernel code model's top 2 GiB), loaded by GRUB at its physical address.
 * The first 4 GiB of physical memory are also identity mapped (boot tables).
 */
#ifndef X86_LAYOUT_H
#define X86_LAYOUT_H

#include <lib/types.h>

#define X86_KERNEL_VMA 0xffffffff80000000ull
/* Everything below this physical address is reachable through the identity map. */
#define X86_IDENTITY_LIMIT 0x100000000ull

/* Physical address of a hypervisor object (code, data, bss, stacks). */
static inline uint64_t x86_image_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p - X86_KERNEL_VMA;
}

/* Pointer to physical memory below X86_IDENTITY_LIMIT (firmware tables, MMIO). */
static inline void *x86_phys_ptr(uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

#endif
