; Entry of the x86-64 realtime kernel, from either boot protocol:
; - bare: GRUB's multiboot2 (EAX = 0x36d76289, EBX = its info; ignored);
; - a Bulkhead cell (docs/hypervisor.md): EDI = boot info.
; Both arrive in 32-bit protected mode, paging off, flat segments. This clears
; .bss, identity maps the first 4 GiB with 2 MiB pages (in a cell its EPT decides
; what is really there), enters long mode with its own GDT and calls
; rt_x86_boot_main(EAX, EDI) on the boot stack. The raw image starts with
; _start (cells run the binary from its first byte), so the multiboot2 header
; follows a jump.
CR4_PAE         equ 1 << 5
CR0_PG          equ 1 << 31
CR0_WP          equ 1 << 16
MSR_EFER        equ 0xc0000080
EFER_LME        equ 1 << 8
PTE_P_RW        equ 0x003
PDE_2M_P_RW     equ 0x083
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
        mov edi, __bss_start
        mov ecx, __bss_end
        sub ecx, edi
        shr ecx, 2
        xor eax, eax
        rep stosd
        mov dword [pml4], pdpt + PTE_P_RW
        xor ecx, ecx
.pdpt:  mov eax, ecx
        shl eax, 12
        add eax, pd + PTE_P_RW
        mov [pdpt + ecx * 8], eax
        inc ecx
        cmp ecx, 4
        jne .pdpt
        xor ecx, ecx
.pd:    mov eax, ecx
        shl eax, 21
        or eax, PDE_2M_P_RW
        mov [pd + ecx * 8], eax
        inc ecx
        cmp ecx, 4 * 512
        jne .pd
        mov eax, pml4
        mov cr3, eax
        mov eax, cr4
        or eax, CR4_PAE
        mov cr4, eax
        mov ecx, MSR_EFER
        rdmsr
        or eax, EFER_LME
        wrmsr
        mov eax, cr0
        or eax, CR0_PG | CR0_WP
        mov cr0, eax
        lgdt [gdtr]
        jmp SEL_CODE64:long_mode

bits 64
long_mode:
        mov ax, SEL_DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        xor eax, eax
        mov fs, ax
        mov gs, ax
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
        mov ax, SEL_DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        xor eax, eax
        mov fs, ax
        mov gs, ax
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
