; Interrupt entry stubs of the x86-64 test cells: save the registers a C
; function may clobber, call the handler, return with IRETQ. Nine pushes
; after the CPU's five-qword frame leave RSP 16-byte aligned at the call.
extern guest_timer_interrupt
extern guest_ipi_interrupt
extern guest_stray_interrupt
extern guest_nmi_interrupt
extern guest_doorbell_interrupt

section .text
bits 64

%macro INTERRUPT_STUB 2
global %1
%1:
        push rax
        push rcx
        push rdx
        push rsi
        push rdi
        push r8
        push r9
        push r10
        push r11
        cld
        call %2
        pop r11
        pop r10
        pop r9
        pop r8
        pop rdi
        pop rsi
        pop rdx
        pop rcx
        pop rax
        iretq
%endmacro

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
