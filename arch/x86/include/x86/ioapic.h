/*
 * The IOAPIC (arch/x86/ioapic.c), at its architectural address until the
 * MADT's IOAPIC entries are read. Only the hypervisor touches it: cells see
 * an emulated, filtered one (vmx/ioapic_filter.c).
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include <lib/types.h>

#define X86_IOAPIC_BASE 0xfec00000ull
#define X86_IOAPIC_PAGE_BYTES 0x1000ull

/* Registers behind the index/data pair (82093AA datasheet). */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_REDIRECTION 0x10 /* + 2 * pin: low half, + 1: high half */
#define IOAPIC_ENTRY_MASKED (1u << 16)

uint32_t x86_ioapic_read(uint32_t reg);
void x86_ioapic_write(uint32_t reg, uint32_t value);

/*
 * Why the whole redirection entry `entry` must not be written, or NULL when it
 * may (the caller's policy, vmx/ioapic_filter.c).
 */
typedef const char *(*ioapic_entry_refusal)(const void *context, uint64_t entry);

/*
 * Writes `value` into one half of a redirection entry (`reg` >= 0x10) if
 * `refusal` accepts the entry that results. The other half is read, the
 * entry judged and the half written under one hold of the lock, so a write
 * to the other half from another CPU cannot slip in between and make an
 * entry nobody judged. Returns the refusal, or NULL when written.
 */
const char *x86_ioapic_write_entry_half(uint32_t reg, uint32_t value, ioapic_entry_refusal refusal,
					const void *context);

/* Redirection entries (pins, GSIs 0..n-1) the IOAPIC has. */
unsigned int x86_ioapic_pins(void);

#endif
