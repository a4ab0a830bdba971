/* The legacy 8259A PIC pair: the hypervisor never uses it. */
#ifndef X86_PIC8259_H
#define X86_PIC8259_H

/* Masks every line of both PICs so no legacy IRQ reaches a CPU. */
void x86_pic_mask_all(void);

#endif
