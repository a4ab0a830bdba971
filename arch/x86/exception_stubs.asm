; One entry stub per IDT vector: pushes a zero where the CPU pushes no error
; code, then the vector, saves every GPR and calls x86_exception_entry with a
; struct x86_exception_frame (include/x86/idt.h; the push order here must
; match its field order). The handler does not return for exceptions.

section .text
bits 64
extern x86_exception_entry

%assign v 0
%rep 256
align 16
exception_stub_ %+ v:
%if (v == 8) || (v == 10) || (v == 11) || (v == 12) || (v == 13) || (v == 14) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
%else
        push 0
%endif
        push v
        jmp exception_common
%assign v v + 1
%endrep

exception_common:
        push r15
        push r14
        push r13
        push r12
        push r11
        push r10
        push r9
        push r8
        push rbp
        push rdi
        push rsi
        push rdx
        push rcx
        push rbx
        push rax
        cld
        mov rdi, rsp                    ; 16-byte aligned: 22 quadwords since the CPU aligned it
        call x86_exception_entry
        pop rax
        pop rbx
        pop rcx
        pop rdx
        pop rsi
        pop rdi
        pop rbp
        pop r8
        pop r9
        pop r10
        pop r11
        pop r12
        pop r13
        pop r14
        pop r15
        add rsp, 16
        iretq

section .rodata
align 8
global x86_exception_stubs
x86_exception_stubs:
%assign v 0
%rep 256
        dq exception_stub_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
