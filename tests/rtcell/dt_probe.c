/*
 * rtcell-dt-probe FILE.dtb: prints what the bare arm64 realtime kernel reads
 * from a device tree (rtcell/arch/arm64/dt_machine.c), one "key value" line
 * each, for tests/system/test_arm64_board.py. Exit 1 when it refuses the tree.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dt_machine.h"

int main(int argc, char **argv)
{
	static unsigned char blob[1 << 20];
	struct rt_dt_machine m;
	FILE *f;
	size_t size;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: rtcell-dt-probe FILE.dtb\n");
		return 2;
	}
	size = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	if (rt_dt_machine_read(blob, size, &m) != 0) {
		printf("refused\n");
		return 1;
	}
	printf("gicd 0x%llx\n", (unsigned long long)m.gicd);
	for (unsigned i = 0; i < m.gicr_regions; i++)
		printf("gicr 0x%llx 0x%llx\n", (unsigned long long)m.gicr_base[i],
		       (unsigned long long)m.gicr_size[i]);
	printf("uart 0x%llx\n", (unsigned long long)m.uart);
	printf("psci %s\n", m.psci == RT_DT_PSCI_SMC   ? "smc"
			    : m.psci == RT_DT_PSCI_HVC ? "hvc"
						       : "none");
	for (unsigned i = 0; i < m.ncpus; i++)
		printf("cpu 0x%llx\n", (unsigned long long)m.mpidr[i]);
	return 0;
}
