/*
 * x86 port I/O. Every access is volatile and ordered with memory accesses
 * (the "memory" clobber), because ports drive devices with side effects.
 */
#ifndef X86_64_IO_H
#define X86_64_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

#endif
