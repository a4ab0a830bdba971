; Interrupt and exception entry of the x86-64 realtime kernel.
; Interrupts: the TSC is read as soon as RAX and RDX are saved (the masked
; span of the interrupt starts there: rt_csection_irq_entry), the registers
; a C function may clobber are saved on the interrupted thread's stack and
; rt_x86_interrupt(vector, entry TSC) runs; it may switch threads (the frame
; stays on the preempted thread's stack until it runs again). IRETQ restores
; the interrupted IF. Nine pushes after the CPU's five-qword frame (which the
; CPU aligns to 16) leave RSP 16-byte aligned at the call.
; Exceptions are fatal (no user mode): rt_x86_exception reports and exits.
extern rt_x86_interrupt
extern rt_x86_exception

section .text
bits 64

%macro INTERRUPT 1
global rt_x86_vector_%1
rt_x86_vector_%1:
        push rax
        push rdx
        rdtsc
        shl rdx, 32
        or rax, rdx
        push rcx
        push rsi
        push rdi
        push r8
        push r9
        push r10
        push r11
        mov rsi, rax
        mov edi, %1
        jmp interrupt_common
%endmacro

interrupt_common:
        cld
        call rt_x86_interrupt
        pop r11
        pop r10
        pop r9
        pop r8
        pop rdi
        pop rsi
        pop rcx
        pop rdx
        pop rax
        iretq

; The timer (64), the reschedule IPI (65) and the sixteen interrupt lines (80..95),
; named by their vector in decimal.
INTERRUPT 64
INTERRUPT 65
%assign v 80
%rep 16
INTERRUPT v
%assign v v + 1
%endrep

; A spurious interrupt needs no EOI and no handler.
global rt_x86_vector_spurious
rt_x86_vector_spurious:
        iretq

; Exceptions: vector and error code (0 where the CPU pushes none), then the
; CPU's frame; rt_x86_exception(vector, error code, &frame) never returns.
%macro EXCEPTION 1
global rt_x86_exception_%1
rt_x86_exception_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
        pop rsi
%else
        xor esi, esi
%endif
        mov edi, %1
        mov rdx, rsp
        and rsp, -16
        call rt_x86_exception
.hang:  cli
        hlt
        jmp .hang
%endmacro

%assign v 0
%rep 32
EXCEPTION v
%assign v v + 1
%endrep

; The stubs' addresses for idt.c, in vector order.
section .rodata
align 8
global rt_x86_exception_stubs
rt_x86_exception_stubs:
%assign v 0
%rep 32
        dq rt_x86_exception_ %+ v
%assign v v + 1
%endrep
global rt_x86_line_stubs
rt_x86_line_stubs:
%assign v 80
%rep 16
        dq rt_x86_vector_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
