/*
 * Legacy 8259A PICs: masked at boot so that, whenever interrupts are enabled
 * later, no ISA IRQ arrives on vectors 8-15 (the BIOS's mapping, which would
 * look like CPU exceptions). The LAPIC/IOAPIC are the only interrupt path.
 */
#include <x86/pic8259.h>
#include <x86_64/io.h>

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

void x86_pic_mask_all(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
