; Entry of the x86-64 realtime kernel, from either boot protocol:
; - bare: GRUB's multiboot2 (EAX = 0x36d76289, EBX = its info; ignored);
; - a Bulkhead cell (docs/hypervisor.md): EDI = boot info.
; Both arrive in 32-bit protected mode, paging off, flat segments. This clears
; .bss, identity maps the first 4 GiB with 2 MiB pages (in a cell its EPT decides
; what is really there), enters long mode with its own GDT and calls
; rt_x86_boot_main(EAX, EDI) on the boot stack. The raw image starts with
; _start (cells run the binary from its first byte), so the multiboot2 header
; follows a jump.
%include "x86_64/long_mode.inc"

CR0_WP          equ 1 << 16
SEL_CODE64      equ 0x08
SEL_DATA        equ 0x10
STACK_BYTES     equ 16384
MB2_MAGIC       equ 0xe85250d6

extern rt_x86_boot_main
extern rt_x86_secondary_main
extern __bss_start
extern __bss_end

section .text.head progbits alloc exec nowrite align=16
bits 32
global _start
_start:
        jmp entry32

align 8
mb2_header:
        dd MB2_MAGIC
        dd 0                            ; i386 protected mode
        dd mb2_header_end - mb2_header
        dd -(MB2_MAGIC + (mb2_header_end - mb2_header))
        dw 0, 0                         ; end tag
        dd 8
mb2_header_end:

entry32:
        cli
        cld
        mov esi, edi                    ; boot info (cell)
        mov ebp, eax                    ; multiboot2 magic (bare)
        LONG_MODE_ZERO_BSS
        LONG_MODE_IDENTITY_MAP_4G pml4, pdpt, pd
        LONG_MODE_ENTER pml4, CR0_WP, gdtr, SEL_CODE64, long_mode

bits 64
long_mode:
        LONG_MODE_LOAD_DATA_SEGMENTS SEL_DATA
        mov rsp, rt_x86_boot_stack + STACK_BYTES
        mov edi, ebp
        ; ESI already holds the boot info
        call rt_x86_boot_main
.halt:  cli
        hlt
        jmp .halt

; Other CPUs (bare, smp.c): the shared AP trampoline arrives here in long mode
; with RDI = cpu, on the CPU's stack, under the trampoline's GDT (whose 0x08 is
; 32-bit code): load this GDT, reload CS through a far return, then C.
global rt_x86_ap_entry
rt_x86_ap_entry:
        lgdt [gdtr64]
        push SEL_CODE64
        lea rax, [rel .reload_cs]
        push rax
        retfq
.reload_cs:
        LONG_MODE_LOAD_DATA_SEGMENTS SEL_DATA
        and rsp, -16
        call rt_x86_secondary_main
.halt:  cli
        hlt
        jmp .halt

section .rodata
align 8
gdt:    dq 0
        dq 0x00af9a000000ffff           ; 64-bit code, DPL 0
        dq 0x00cf92000000ffff           ; data
gdtr:   dw gdtr - gdt - 1
        dd gdt
gdtr64: dw 3 * 8 - 1                    ; the same table, for LGDT in long mode
        dq gdt

section .bss nobits alloc noexec write align=4096
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4 * 4096
global rt_x86_boot_stack
rt_x86_boot_stack: resb STACK_BYTES

section .note.GNU-stack noalloc noexec nowrite progbits
