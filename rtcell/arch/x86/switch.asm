; rt_x86_switch(save, load, save_on_cpu): the callee-saved registers and RSP
; go to save[0..6] and come back from load[0..6] (rt_thread.arch_ctx); the
; return address is on each stack. *save_on_cpu = 0 once saved (an x86 store
; has release semantics), so another CPU may resume it.
; A new thread's stack holds rt_x86_thread_trampoline as its return address,
; with RBX = the thread.
extern rt_x86_thread_start

section .text
bits 64

global rt_x86_switch
rt_x86_switch:
        mov [rdi + 0], rbx
        mov [rdi + 8], rbp
        mov [rdi + 16], r12
        mov [rdi + 24], r13
        mov [rdi + 32], r14
        mov [rdi + 40], r15
        mov [rdi + 48], rsp
        mov byte [rdx], 0
        mov rbx, [rsi + 0]
        mov rbp, [rsi + 8]
        mov r12, [rsi + 16]
        mov r13, [rsi + 24]
        mov r14, [rsi + 32]
        mov r15, [rsi + 40]
        mov rsp, [rsi + 48]
        ret

global rt_x86_thread_trampoline
rt_x86_thread_trampoline:
        mov rdi, rbx
        call rt_x86_thread_start
.hang:  cli
        hlt
        jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
