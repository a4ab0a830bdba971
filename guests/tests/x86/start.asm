; x86-64 test-cell entry (native boot protocol, docs/hypervisor.md): the
; hypervisor starts the cell's boot CPU here in 32-bit protected mode, paging
; off, flat segments, interrupts masked, EDI = boot info. This trampoline
; clears .bss, identity maps the first 4 GiB with 2 MiB pages (the cell's EPT
; decides what is really there), enters long mode and calls
; guest_boot_main(boot info) on its stack. No IDT: any exception is a triple
; fault, which stops the cell.
%include "x86_64/long_mode.inc"

SEL_CODE64      equ 0x08
SEL_DATA        equ 0x10
STACK_BYTES     equ 16384

extern guest_boot_main
extern __bss_start
extern __bss_end

section .text.head progbits alloc exec nowrite align=16
bits 32
global _start
_start:
        cli
        cld
        mov esi, edi                    ; boot info, kept across the set-up
        LONG_MODE_ZERO_BSS
        LONG_MODE_IDENTITY_MAP_4G pml4, pdpt, pd
        LONG_MODE_ENTER pml4, 0, gdtr, SEL_CODE64, long_mode

bits 64
long_mode:
        LONG_MODE_LOAD_DATA_SEGMENTS SEL_DATA
        mov rsp, stack + STACK_BYTES
        mov edi, esi
        call guest_boot_main
.halt:  hlt
        jmp .halt

section .rodata
align 8
gdt:    dq 0
        dq 0x00af9a000000ffff           ; 64-bit code
        dq 0x00cf92000000ffff           ; data
gdtr:   dw gdtr - gdt - 1
        dd gdt

section .bss nobits alloc noexec write align=4096
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4 * 4096
stack:  resb STACK_BYTES

section .note.GNU-stack noalloc noexec nowrite progbits
