/*
 * INIT and start-up IPIs between the CPUs of one cell (vmx/cpu_startup.c):
 * the x86 form of PSCI CPU_ON. A cell starts its other CPUs the way firmware
 * and Linux do, INIT then SIPI through the ICR; the hypervisor never sends
 * either on the wire (its CPUs wait in VMX root mode) but starts the target's
 * VMCS in real mode at the SIPI vector's page.
 */
#ifndef VMX_CPU_STARTUP_H
#define VMX_CPU_STARTUP_H

#include <vmx/exit.h>

/*
 * true when `icr` is an INIT or start-up IPI; then it has been handled:
 * emulated when it names another CPU of the sender's own cell by physical
 * x2APIC id, else refused with the reason in *why (and nothing sent).
 */
bool cpu_startup_ipi(const struct vmx_exit *exit, uint64_t icr, const char **why);

/*
 * The SIPI vector this CPU was started with (it enters real mode at
 * vector << 12), or -1 for a start at the cell's own entry point. Read once
 * per start, by the CPU itself as it enters its cell.
 */
int cpu_startup_take_sipi_vector(unsigned int cpu);

#endif
