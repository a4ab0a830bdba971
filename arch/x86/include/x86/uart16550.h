/* COM1 (16550 at I/O port 0x3f8), polled; the hypervisor console on x86. */
#ifndef X86_UART16550_H
#define X86_UART16550_H

/* Programs 115200 8N1 with FIFOs; called once on the boot CPU before any output. */
void x86_uart_init(void);

#endif
