/*
 * The CMOS clock, read-only. Its index/data ports (0x70/0x71) stay the
 * hypervisor's: the same pair reaches the firmware's NVRAM, which a cell must
 * not rewrite for the next boot, and bit 7 of the index masks the chipset's
 * NMIs. But Linux reads its wall clock there at boot whatever the FADT says
 * (mach_get_cmos_time), polling "update in progress" in status register A
 * for up to a second: with the ports' all-ones answer that bit never cleared
 * and Debian's kernel took ~40,000 exits to give up. So each CPU of a cell
 * may select a clock register (0x00-0x0d: time, date, alarms, status A-D) and
 * read it from the real RTC; every write reaches nothing, and any other
 * register reads all ones as before.
 */
#include <hv/platform.h>
#include <hv/spinlock.h>
#include <vmx/cmos_clock.h>
#include <x86_64/io.h>

#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT 0x71
#define CMOS_INDEX_MASK 0x7fu /* bit 7: the NMI mask, never the cell's */
#define CMOS_LAST_CLOCK_REGISTER 0x0du
#define NOTHING_SELECTED 0xffu

/* Per CPU, touched only by that CPU: the register its cell selected last. */
static uint8_t selected[HV_MAX_CPUS] = { [0 ... HV_MAX_CPUS - 1] = NOTHING_SELECTED };
/* Index and data are one transaction on the shared chip. */
static struct spinlock cmos_lock = SPINLOCK_INIT;

static uint8_t read_clock_register(uint8_t reg)
{
	uint8_t value;

	spin_lock(&cmos_lock);
	outb(CMOS_INDEX_PORT, reg); /* bit 7 clear: NMIs stay enabled, as Linux leaves them */
	value = inb(CMOS_DATA_PORT);
	spin_unlock(&cmos_lock);
	return value;
}

bool cmos_clock_io(unsigned int cpu, unsigned int port, unsigned int bytes, bool in,
		   uint64_t *value)
{
	if (bytes != 1 || cpu >= HV_MAX_CPUS || (port != CMOS_INDEX_PORT && port != CMOS_DATA_PORT))
		return false;
	if (port == CMOS_INDEX_PORT) {
		if (in)
			*value |= 0xff; /* the index register is write-only */
		else
			selected[cpu] = (uint8_t)(*value & CMOS_INDEX_MASK);
		return true;
	}
	if (!in)
		return true; /* no write reaches the chip */
	*value = (*value & ~0xffull) |
		 (selected[cpu] <= CMOS_LAST_CLOCK_REGISTER ? read_clock_register(selected[cpu])
							    : 0xff);
	return true;
}
