/*
 * Local APIC access in xAPIC (MMIO) or x2APIC (MSR) mode, whichever the
 * firmware left enabled. Used for start-up IPIs, and switched to x2APIC
 * mode for a realtime cell that drives it through MSRs.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <lib/types.h>

/* Software-enables the calling CPU's local APIC (all vectors stay masked by IF=0). */
void x86_lapic_enable_this(void);

/* Puts the calling CPU's local APIC in x2APIC mode; -BH_ENODEV without x2APIC. */
int x86_lapic_enter_x2apic_mode(void);

/* Sends an INIT IPI (level assert) to `apic_id`. Returns 0 or a negative error. */
int x86_lapic_send_init(uint32_t apic_id);

/* Sends a start-up IPI for `vector_page` (4 KiB aligned, below 1 MiB). Returns 0 or -error. */
int x86_lapic_send_startup(uint32_t apic_id, uint64_t vector_page);

/* Sends a fixed IPI of `vector` (32..255) to `apic_id`. Returns 0 or a negative error. */
int x86_lapic_send_fixed(uint32_t apic_id, uint32_t vector);

#endif
