; Interrupt entry stubs of the x86-64 test cells (guest/interrupt_stub.inc).
%include "guest/interrupt_stub.inc"

extern guest_timer_interrupt
extern guest_ipi_interrupt
extern guest_stray_interrupt
extern guest_nmi_interrupt
extern guest_doorbell_interrupt

section .text
bits 64

INTERRUPT_STUB guest_timer_stub, guest_timer_interrupt
INTERRUPT_STUB guest_ipi_stub, guest_ipi_interrupt
INTERRUPT_STUB guest_stray_stub, guest_stray_interrupt
INTERRUPT_STUB guest_nmi_stub, guest_nmi_interrupt
INTERRUPT_STUB guest_doorbell_stub, guest_doorbell_interrupt

; The spurious vector needs no EOI and no handler.
global guest_spurious_stub
guest_spurious_stub:
        iretq

section .note.GNU-stack noalloc noexec nowrite progbits
