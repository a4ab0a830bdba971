/*
 * Power-off. Bochs ends the emulation when "Shutdown" is written to port
 * 0x8900 (its exit status is 1 either way; the console markers decide).
 * On anything else the CPU just parks with the console drained.
 */
#include <arch/arch_console.h>
#include <arch/arch_cpu.h>
#include <arch/arch_power.h>
#include <x86_64/io.h>

#define BOCHS_SHUTDOWN_PORT 0x8900

noreturn_fn void arch_system_off(int exit_code)
{
	static const char cmd[] = "Shutdown";

	(void)exit_code; /* no channel for it on a PC; the console markers carry it */
	arch_console_flush();
	for (const char *p = cmd; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	arch_cpu_park();
}
