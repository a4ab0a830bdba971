; Multiboot2 header and the boot CPU's path from GRUB's 32-bit protected mode
; into 64-bit long mode at the high-half link address. The .boot sections run
; at their physical address (VMA == LMA); nothing here touches the stack
; before long mode. Static boot page tables identity map 0-4 GiB and map
; 0-2 GiB again at KERNEL_VMA with 2 MiB pages; APs reuse them (smp.c).

%include "x86_64/long_mode.inc"

KERNEL_VMA      equ 0xffffffff80000000
MB2_MAGIC       equ 0xe85250d6
MB2_BOOT_MAGIC  equ 0x36d76289          ; what GRUB leaves in EAX
PTE_P_RW        equ 0x003
PDE_2M          equ 0x083               ; present, writable, 2 MiB page
PDE_UC          equ 0x018               ; PWT|PCD: the 4th GiB is MMIO (LAPIC, IOAPIC)
SEL_CODE64      equ 0x08
SEL_DATA        equ 0x10

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
        dd MB2_MAGIC
        dd 0                            ; i386 protected mode entry
        dd mb2_header_end - mb2_header
        dd (0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))) & 0xffffffff
        ; end tag: no framebuffer request, GRUB leaves VGA text mode alone
        dw 0, 0
        dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global mb2_entry
mb2_entry:
        cli
        cld
        cmp eax, MB2_BOOT_MAGIC
        jne no_multiboot2
        mov esi, ebx                    ; multiboot2 information (physical)
        mov edi, eax

        ; Long mode needs CPUID 0x80000001 EDX.LM; without it there is no way on.
        mov ebp, edi
        mov eax, 0x80000001
        cpuid
        mov edi, ebp
        test edx, 1 << 29
        jz no_long_mode

        mov eax, cr4
        or eax, 1 << 5                  ; PAE
        mov cr4, eax
        mov eax, boot_pml4
        mov cr3, eax
        mov ecx, 0xc0000080             ; IA32_EFER
        rdmsr
        or eax, 1 << 8                  ; LME
        wrmsr
        mov eax, cr0
        or eax, (1 << 31) | (1 << 16) | (1 << 5) | 1    ; PG WP NE PE (VMX wants NE)
        mov cr0, eax
        lgdt [boot_gdtr]
        jmp SEL_CODE64:long_mode_low

; Failures before long mode: say why on the Bochs debug port and stop.
no_multiboot2:
        mov esi, msg_no_mb2
        jmp boot_die
no_long_mode:
        mov esi, msg_no_lm
boot_die:
        mov dx, 0xe9
.next:  lodsb
        test al, al
        jz .halt
        out dx, al
        jmp .next
.halt:  hlt
        jmp .halt

bits 64
long_mode_low:
        LONG_MODE_LOAD_DATA_SEGMENTS SEL_DATA
        mov rax, long_mode_high
        jmp rax

section .boot.data progbits alloc noexec write align=4096
msg_no_mb2: db "bulkhead: not started by a multiboot2 loader", 10, 0
msg_no_lm:  db "bulkhead: CPU has no long mode", 10, 0

align 8
boot_gdt:
        dq 0
        dq 0x00af9a000000ffff           ; 64-bit code
        dq 0x00cf92000000ffff           ; data
boot_gdt_end:
boot_gdtr:
        dw boot_gdt_end - boot_gdt - 1
        dd boot_gdt

align 4096
global boot_pml4
boot_pml4:
        dq boot_pdpt_low + PTE_P_RW
        times 510 dq 0
        dq boot_pdpt_high + PTE_P_RW
boot_pdpt_low:
        dq boot_pd + 0 * 4096 + PTE_P_RW
        dq boot_pd + 1 * 4096 + PTE_P_RW
        dq boot_pd + 2 * 4096 + PTE_P_RW
        dq boot_pd + 3 * 4096 + PTE_P_RW
        times 508 dq 0
boot_pdpt_high:                         ; 0xffffffff80000000 -> physical 0
        times 510 dq 0
        dq boot_pd + 0 * 4096 + PTE_P_RW
        dq boot_pd + 1 * 4096 + PTE_P_RW
boot_pd:
%assign i 0
%rep 2048
%if i >= 1536
        dq (i << 21) | PDE_2M | PDE_UC
%else
        dq (i << 21) | PDE_2M
%endif
%assign i i + 1
%endrep

section .text
bits 64
extern x86_boot_main
extern __bss_start
extern __bss_end
long_mode_high:
        mov r12d, edi                   ; magic (zero-extends)
        mov r13d, esi                   ; multiboot2 information
        mov rdi, __bss_start
        mov rcx, __bss_end
        sub rcx, rdi
        xor eax, eax
        rep stosb
        mov rsp, x86_boot_stack_top
        xor ebp, ebp
        mov edi, r12d
        mov rsi, r13
        call x86_boot_main
.hang:  cli
        hlt
        jmp .hang

section .bss
align 16
x86_boot_stack:
        resb 16384
x86_boot_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
