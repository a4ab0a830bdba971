; The hostile cell's probes (guests/tests/x86/hostile.c): leaf functions that
; each try one forbidden instruction and touch no stack before it, so a
; fault inside one is answered by returning to its caller (the exception
; hook emulates RET: RIP = [RSP], RSP + 8, RAX = PROBE_FAULTED). The
; exception stubs hand the hook a frame of the saved registers, the vector,
; the error code (0 where the CPU pushes none) and the CPU's frame.
%include "guest/interrupt_stub.inc"

extern hostile_exception
extern hostile_ipi

section .text.probe progbits alloc exec nowrite align=16
bits 64
global __probe_start
__probe_start:

%macro PROBE 1
global %1
%1:
%endmacro

PROBE probe_read64              ; (address) -> value
        mov rax, [rdi]
        ret
PROBE probe_write64             ; (address, value)
        mov [rdi], rsi
        ret
PROBE probe_write32             ; (address, value): MOV r/m32, r32 (89 37)
        mov [rdi], esi
        ret
PROBE probe_read32              ; (address) -> value: MOV r32, r/m32 (8B 07)
        mov eax, [rdi]
        ret
PROBE probe_jump                ; (address): execute there
        jmp rdi
PROBE probe_rdmsr               ; (msr) -> value
        mov ecx, edi
        rdmsr
        shl rdx, 32
        or rax, rdx
        ret
PROBE probe_wrmsr               ; (msr, value)
        mov ecx, edi
        mov eax, esi
        mov rdx, rsi
        shr rdx, 32
        wrmsr
        ret
PROBE probe_in8                 ; (port) -> value
        mov edx, edi
        xor eax, eax
        in al, dx
        ret
PROBE probe_in32
        mov edx, edi
        in eax, dx
        ret
PROBE probe_out8                ; (port, value)
        mov edx, edi
        mov eax, esi
        out dx, al
        ret
PROBE probe_out32
        mov edx, edi
        mov eax, esi
        out dx, eax
        ret
PROBE probe_read_cr0
        mov rax, cr0
        ret
PROBE probe_read_cr4
        mov rax, cr4
        ret
PROBE probe_write_cr0           ; (value)
        mov cr0, rdi
        ret
PROBE probe_write_cr4
        mov cr4, rdi
        ret
PROBE probe_vmcall              ; (function, a1, a2, a3, a4, a5) -> RAX
        mov rax, rdi
        mov rdi, rsi
        mov rsi, rdx
        mov rdx, rcx
        mov rcx, r8
        mov r8, r9
        vmcall
        ret
PROBE probe_vmxon               ; (address of the region's physical address)
        vmxon [rdi]
        ret
PROBE probe_vmxoff
        vmxoff
        ret
PROBE probe_vmptrld
        vmptrld [rdi]
        ret
PROBE probe_vmclear
        vmclear [rdi]
        ret
PROBE probe_vmread              ; (field) -> value
        vmread rax, rdi
        ret
PROBE probe_vmwrite             ; (field, value)
        vmwrite rdi, rsi
        ret
PROBE probe_vmlaunch
        vmlaunch
        ret
PROBE probe_vmresume
        vmresume
        ret
PROBE probe_invept              ; (type, address of the 16-byte descriptor)
        invept rdi, [rsi]
        ret
PROBE probe_invvpid
        invvpid rdi, [rsi]
        ret
PROBE probe_vmfunc              ; EPTP switching, function 0
        xor eax, eax
        xor ecx, ecx
        db 0x0f, 0x01, 0xd4
        ret
PROBE probe_invd
        invd
        ret
PROBE probe_wbinvd
        wbinvd
        ret
global __probe_end
__probe_end:

section .text
%macro EXCEPTION_STUB 2          ; vector, 1 when the CPU pushes an error code
global hostile_exception_stub_%1
hostile_exception_stub_%1:
%if %2 == 0
        push 0
%endif
        push %1
        jmp exception_common
%endmacro

EXCEPTION_STUB 0, 0
EXCEPTION_STUB 1, 0
EXCEPTION_STUB 2, 0
EXCEPTION_STUB 3, 0
EXCEPTION_STUB 4, 0
EXCEPTION_STUB 5, 0
EXCEPTION_STUB 6, 0
EXCEPTION_STUB 7, 0
EXCEPTION_STUB 8, 1
EXCEPTION_STUB 10, 1
EXCEPTION_STUB 11, 1
EXCEPTION_STUB 12, 1
EXCEPTION_STUB 13, 1
EXCEPTION_STUB 14, 1
EXCEPTION_STUB 16, 0
EXCEPTION_STUB 17, 1
EXCEPTION_STUB 18, 0
EXCEPTION_STUB 19, 0

exception_common:
        SAVE_CALLER_SAVED
        mov rdi, rsp
        call hostile_exception
        RESTORE_CALLER_SAVED
        add rsp, 16                     ; vector and error code
        iretq

; Its own IPI (the ICR control): counted, then EOI.
INTERRUPT_STUB hostile_ipi_stub, hostile_ipi

; The spurious vector needs no EOI.
global hostile_spurious_stub
hostile_spurious_stub:
        iretq

section .note.GNU-stack noalloc noexec nowrite progbits
