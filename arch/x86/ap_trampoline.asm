; Application processor start-up code: copied by smp.c to a free page below
; 1 MiB, which the SIPI vector names. Position independent: it finds its own
; base from CS and patches its GDT pointer and far jumps at run time. The
; parameter block at offset 8 (struct x86_trampoline_params) is filled per CPU
; before each SIPI; only one AP runs this code at a time (the core starts CPUs
; one by one and waits for each to report in).

SEL_CODE32      equ 0x08
SEL_DATA        equ 0x10
SEL_CODE64      equ 0x18

section .rodata
bits 16
global x86_trampoline_start
global x86_trampoline_end
x86_trampoline_start:
        jmp short tramp_real
        align 8, db 0
; struct x86_trampoline_params (smp.c), offset 8
tp_cr3:         dq 0
tp_stack_top:   dq 0
tp_entry:       dq 0
tp_cpu:         dq 0
tp_alive:       dq 0                    ; set to 1 by the AP as soon as it runs

tramp_real:
        cli
        cld
        mov ax, cs
        mov ds, ax
        xor ebx, ebx
        mov bx, ax
        shl ebx, 4                      ; linear base of this copy
        mov byte [tp_alive - x86_trampoline_start], 1
        lea eax, [ebx + tramp_gdt - x86_trampoline_start]
        mov [tramp_gdtr - x86_trampoline_start + 2], eax
        lea eax, [ebx + tramp_pm32 - x86_trampoline_start]
        mov [tramp_far32 - x86_trampoline_start], eax
        lea eax, [ebx + tramp_lm64 - x86_trampoline_start]
        mov [tramp_far64 - x86_trampoline_start], eax
        lgdt [tramp_gdtr - x86_trampoline_start]
        mov eax, cr0
        or eax, 1                       ; PE
        mov cr0, eax
        jmp far dword [tramp_far32 - x86_trampoline_start]

bits 32
tramp_pm32:
        mov ax, SEL_DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov eax, cr4
        or eax, 1 << 5                  ; PAE
        mov cr4, eax
        mov eax, [ebx + tp_cr3 - x86_trampoline_start]
        mov cr3, eax
        mov ecx, 0xc0000080             ; IA32_EFER.LME
        rdmsr
        or eax, 1 << 8
        wrmsr
        mov eax, cr0
        or eax, (1 << 31) | (1 << 16) | (1 << 5) | 1    ; PG WP NE PE
        mov cr0, eax
        jmp far dword [ebx + tramp_far64 - x86_trampoline_start]

bits 64
tramp_lm64:
        mov ax, SEL_DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, [rbx + tp_stack_top - x86_trampoline_start]
        mov rdi, [rbx + tp_cpu - x86_trampoline_start]
        mov rax, [rbx + tp_entry - x86_trampoline_start]
        xor ebp, ebp
        push 0                          ; fake return address: keeps the ABI's alignment
        jmp rax

align 8
tramp_gdt:
        dq 0
        dq 0x00cf9a000000ffff           ; 32-bit code
        dq 0x00cf92000000ffff           ; data
        dq 0x00af9a000000ffff           ; 64-bit code
tramp_gdt_end:
tramp_gdtr:
        dw tramp_gdt_end - tramp_gdt - 1
        dd 0
tramp_far32:
        dd 0
        dw SEL_CODE32
tramp_far64:
        dd 0
        dw SEL_CODE64
x86_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
