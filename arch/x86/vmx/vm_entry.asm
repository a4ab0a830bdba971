; VM entry and exit (vmx/guest_regs.h). The host state the VMCS restores at an
; exit is this function's own frame: HOST_RSP is written just before entry, so
; the exit stub finds the saved callee-saved registers and the regs pointer on
; the stack and returns to vmx_enter_guest's caller as if from a call.
; Offsets: struct guest_regs holds 16 qwords in encoding order.
%define R(n) (n * 8)
REG_RAX equ 0
REG_RCX equ 1
REG_RDX equ 2
REG_RBX equ 3
REG_RBP equ 5
REG_RSI equ 6
REG_RDI equ 7
VMCS_HOST_RSP equ 0x6c14

section .text
bits 64

; int vmx_enter_guest(struct guest_regs *regs /* rdi */, int launched /* esi */)
global vmx_enter_guest
vmx_enter_guest:
        push rbx
        push rbp
        push r12
        push r13
        push r14
        push r15
        push rdi                        ; regs, found again by the exit stub
        mov rax, VMCS_HOST_RSP
        vmwrite rax, rsp
        jbe .entry_failed
        mov r15, rdi
        mov r14d, esi
        mov rax, [r15 + R(REG_RAX)]
        mov rcx, [r15 + R(REG_RCX)]
        mov rdx, [r15 + R(REG_RDX)]
        mov rbx, [r15 + R(REG_RBX)]
        mov rbp, [r15 + R(REG_RBP)]
        mov rsi, [r15 + R(REG_RSI)]
        mov rdi, [r15 + R(REG_RDI)]
        mov r8,  [r15 + R(8)]
        mov r9,  [r15 + R(9)]
        mov r10, [r15 + R(10)]
        mov r11, [r15 + R(11)]
        mov r12, [r15 + R(12)]
        mov r13, [r15 + R(13)]
        test r14d, r14d
        mov r14, [r15 + R(14)]          ; mov leaves the flags of the test alone
        mov r15, [r15 + R(15)]
        jnz .resume
        vmlaunch
        jmp .entry_failed               ; only reached when VMLAUNCH failed
.resume:
        vmresume
.entry_failed:
        pop rdi
        mov eax, 1
        jmp vmx_restore_host

; HOST_RIP: the guest's registers are live, RSP is the frame above.
global vmx_exit_stub
vmx_exit_stub:
        push rdi                        ; the guest's rdi
        mov rdi, [rsp + 8]              ; regs
        mov [rdi + R(REG_RAX)], rax
        mov [rdi + R(REG_RCX)], rcx
        mov [rdi + R(REG_RDX)], rdx
        mov [rdi + R(REG_RBX)], rbx
        mov [rdi + R(REG_RBP)], rbp
        mov [rdi + R(REG_RSI)], rsi
        mov [rdi + R(8)], r8
        mov [rdi + R(9)], r9
        mov [rdi + R(10)], r10
        mov [rdi + R(11)], r11
        mov [rdi + R(12)], r12
        mov [rdi + R(13)], r13
        mov [rdi + R(14)], r14
        mov [rdi + R(15)], r15
        pop rax
        mov [rdi + R(REG_RDI)], rax
        pop rdi
        xor eax, eax
vmx_restore_host:
        pop r15
        pop r14
        pop r13
        pop r12
        pop rbp
        pop rbx
        ret

section .note.GNU-stack noalloc noexec nowrite progbits
