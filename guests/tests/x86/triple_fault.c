/*
 * triple_fault (x86-64): loads an empty IDT and executes UD2. With no gate
 * for #UD, then #GP, then #DF, the CPU shuts down (a triple fault), which
 * must stop this cell only. The line after UD2 is a failure.
 */
#include <guest/console.h>
#include <guest/runtime.h>

int guest_main(const struct bh_boot_info *info)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	console_printf("triple_fault: cell %u: empty IDT, then UD2\n", info->cell_id);
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty_idt) : "memory");
	console_printf("triple_fault: FAILED, still running after UD2\n");
	return 1;
}
