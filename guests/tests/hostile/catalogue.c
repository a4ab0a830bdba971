/*
 * The attack catalogue (docs/containment.md): named cases, each one attack
 * on another cell or the hypervisor, run one after another on the boot CPU.
 * Each case prints one line
 *     hostile: case <id>: <what the attacker saw> [rt_entries=<n>]
 * where n is how many hypervisor entries the realtime cell's CPU took while
 * the case ran, read from the hypervisor's own counters (BH_HC_CPU_STATS):
 * the line itself shows the hypervisor still answers. The host
 * (tools/pylib/bulkhead_tools/containment.py) names each case's invariant
 * and judges the lines; this file judges nothing.
 */
#include <bulkhead/config.h>
#include <guest/console.h>
#include <guest/gicv3.h>
#include <guest/hypercall.h>
#include <guest/psci.h>
#include <guest/runtime.h>
#include <guest/sysreg.h>
#include <guest/timer.h>
#include <lib/format.h>

#include "hostile.h"

/* Distributor registers beyond guest/gicv3.h's. */
#define GICD_TYPER 0x0004u
#define GICD_IGROUPR 0x0080u
#define GICD_ISPENDR 0x0200u
#define GICD_ISACTIVER 0x0300u
#define GICD_ICACTIVER 0x0380u
#define GICD_ICFGR 0x0c00u
#define GICD_IGRPMODR 0x0d00u
#define GICD_NSACR 0x0e00u
#define GICD_SGIR 0x0f00u
#define GICD_FRAME_BYTES 0x10000u
/* Redistributor control frame */
#define GICR_WAKER 0x0014u
#define GICR_ISPENDR0 0x0200u
/* QEMU virt: the ITS, CPU k's redistributor, the PL011, virtio-mmio transport 23. */
#define QEMU_VIRT_ITS 0x08080000ul
#define QEMU_VIRT_GICR_BASE 0x080a0000ul
#define QEMU_VIRT_GICR_STRIDE 0x20000ul
#define QEMU_VIRT_UART 0x09000000ul
#define QEMU_VIRT_FOREIGN_VIRTIO 0x0a002e00ul
/* hello owns the PL011's SPI 33; the attacker owns SPI 79. */
#define FOREIGN_SPI 33u
#define OWN_SPI 79u
#define ATTACK_SGI 15u
#define HV_KICK_SGI 14u
#define TOP_OF_48BIT_SPACE 0xfffffffff000ul
#define MARKER 0x6361746172616374ull
#define FLOOD_COUNT 10000u

/* SMCCC function ids (Arm DEN0028) and PSCI 1.1 ones the hypervisor does not offer. */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu
#define SMCCC_TRUSTED_OS_CALL 0xb2000000u
#define SMCCC_OEM_CALL 0xc3000000u
#define PSCI_CPU_SUSPEND64 0xc4000001u
#define PSCI_SYSTEM_SUSPEND64 0xc400000eu
#define PSCI_SYSTEM_RESET2_64 0xc4000012u
#define PSCI_MEM_PROTECT 0x84000013u
#define PSCI_MEM_PROTECT_CHECK_RANGE64 0xc4000014u
#define PSCI_FEATURES 0x8400000au

/* PMCCFILTR_EL0: P (no EL1), U (no EL0), NSH (count at EL2). */
#define PMCCFILTR_EL2_ONLY ((1ull << 31) | (1ull << 30) | (1ull << 27))

static const struct bh_boot_info *info;
static int rt_cpu = -1;
static char result[HOSTILE_TEXT_MAX];

struct attack_case {
	const char *id;
	void (*run)(void);
};

/* ---- helpers ---- */

static uint64_t gicd(uint32_t offset)
{
	return info->gicd_base + offset;
}

static uint64_t own_end(void)
{
	return info->regions[0].guest_phys + info->regions[0].size_bytes;
}

/* The redistributor of logical CPU `cpu` on QEMU virt. */
static uint64_t gicr_of(unsigned int cpu)
{
	return QEMU_VIRT_GICR_BASE + cpu * QEMU_VIRT_GICR_STRIDE;
}

static void say(const char *text)
{
	format_snprintf(result, sizeof(result), "%s", text);
}

/* After a probe: the fault, or `text` when there was none. */
static void fault_or(const char *text)
{
	if (!hostile_disarm(result, sizeof(result)))
		say(text);
}

static void read_at(uint64_t addr, uint32_t (*read)(uint64_t))
{
	hostile_arm();
	uint32_t value = read(addr);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%x, no fault", value);
}

static void read64_at(uint64_t addr)
{
	hostile_arm();
	uint64_t value = probe_read64(addr);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", value);
}

static void write64_at(uint64_t addr)
{
	hostile_arm();
	probe_write64(addr, MARKER);
	if (hostile_disarm(result, sizeof(result)))
		return;
	hostile_arm();
	uint64_t back = probe_read64(addr);
	char fault[HOSTILE_TEXT_MAX];

	if (hostile_disarm(fault, sizeof(fault)))
		format_snprintf(result, sizeof(result), "write completed, read back %s", fault);
	else
		format_snprintf(result, sizeof(result), "write completed, read back 0x%lx%s", back,
				back == MARKER ? " (MARKER STORED)" : "");
}

/* Register write of `width` bytes, then read back at the same width. */
static void write_read_back(uint64_t addr, unsigned int width, uint32_t value)
{
	void (*write)(uint64_t, uint32_t) = width == 4   ? probe_write32
					    : width == 2 ? probe_write16
							 : probe_write8;
	uint32_t (*read)(uint64_t) = width == 4   ? probe_read32
				     : width == 2 ? probe_read16
						  : probe_read8;

	hostile_arm();
	uint32_t before = read(addr);

	if (hostile_disarm(result, sizeof(result)))
		return;
	hostile_arm();
	write(addr, value);
	if (hostile_disarm(result, sizeof(result)))
		return;
	hostile_arm();
	uint32_t back = read(addr);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "before 0x%x, wrote 0x%x, read back 0x%x",
				before, value, back);
}

static void write64_read_back(uint64_t addr, uint64_t value)
{
	hostile_arm();
	uint64_t before = probe_read64(addr);

	if (hostile_disarm(result, sizeof(result)))
		return;
	hostile_arm();
	probe_write64(addr, value);
	if (hostile_disarm(result, sizeof(result)))
		return;
	hostile_arm();
	uint64_t back = probe_read64(addr);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result),
				"before 0x%lx, wrote 0x%lx, read back 0x%lx", before, value, back);
}

static void call_result(int64_t value)
{
	if (hostile_disarm(result, sizeof(result)))
		return;
	if (value < 0)
		format_snprintf(result, sizeof(result), "returned %ld (%s)", value,
				bh_hypercall_strerror(value));
	else
		format_snprintf(result, sizeof(result), "returned %ld", value);
}

static void smc(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	hostile_arm();
	int64_t value = probe_smc(function, a1, a2, a3);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "returned %ld", value);
}

static void hvc(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	hostile_arm();
	call_result(probe_hvc(function, a1, a2, a3, 0, 0));
}

static void sgi(uint64_t sgi1r)
{
	hostile_arm();
	probe_write_sgi1r(sgi1r);
	fault_or("executed, no fault");
}

static uint32_t foreign_target_list(void)
{
	uint32_t list = 0;

	for (uint32_t k = 0; k < 16; k++) {
		bool own = false;

		for (uint32_t i = 0; i < info->cpu_count; i++)
			own |= mpidr_affinity(info->cpu_mpidr[i]) == k;
		if (!own)
			list |= 1u << k;
	}
	return list;
}

/* ---- memory (I2) ---- */

static void mem_foreign_ram_read(void)
{
	read64_at(TICKER_MEMORY);
}

static void mem_foreign_ram_write(void)
{
	write64_at(HELLO_MEMORY);
}

static void mem_hypervisor_read(void)
{
	read64_at(HYPERVISOR_MEMORY);
}

static void mem_hypervisor_write(void)
{
	write64_at(HYPERVISOR_MEMORY + 0x1000);
}

static void mem_unassigned_write(void)
{
	write64_at(0);
}

static void mem_foreign_uart(void)
{
	read_at(QEMU_VIRT_UART, probe_read32);
}

static void mem_foreign_virtio(void)
{
	read_at(QEMU_VIRT_FOREIGN_VIRTIO, probe_read32);
}

static void mem_its_frame(void)
{
	read_at(QEMU_VIRT_ITS, probe_read32);
}

static void mem_top_of_48bit_space(void)
{
	read64_at(TOP_OF_48BIT_SPACE);
}

static void mem_top_of_64bit_space(void)
{
	read64_at(0xfffffffffffffff8ul);
}

/* A pair load whose second half lies past the cell's last byte. */
static void mem_ldp_crossing_region_end(void)
{
	hostile_arm();
	uint64_t sum = probe_ldp(own_end() - 8);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", sum);
}

/* Misaligned, and crossing from the cell's last page into the next one. */
static void mem_misaligned_crossing_region_end(void)
{
	read64_at(own_end() - 4);
}

static void mem_exclusive_load_foreign(void)
{
	hostile_arm();
	uint64_t value = probe_ldxr(TICKER_MEMORY);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", value);
}

static void mem_exclusive_store_gicd(void)
{
	hostile_arm();
	uint64_t status = probe_stxr(gicd(GICD_ISENABLER + 4), ~0ull);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "store status %lu, no fault", status);
}

static void mem_exclusive_load_gicd(void)
{
	hostile_arm();
	uint64_t value = probe_ldxr(gicd(GICD_CTLR));

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", value);
}

static void mem_pair_load_gicd(void)
{
	hostile_arm();
	uint64_t sum = probe_ldp(gicd(GICD_ISENABLER));

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", sum);
}

static void mem_dc_ivac_foreign(void)
{
	hostile_arm();
	probe_dc_ivac(TICKER_MEMORY);
	fault_or("executed, no fault");
}

static void mem_dc_civac_hypervisor(void)
{
	hostile_arm();
	probe_dc_civac(HYPERVISOR_MEMORY);
	fault_or("executed, no fault");
}

static void mem_dc_zva_foreign(void)
{
	hostile_arm();
	probe_dc_zva(HELLO_MEMORY);
	fault_or("executed, no fault");
}

/* ---- distributor (I3) ---- */

static void gicd_isenabler_word_mixed(void)
{
	/* INTIDs 64-95: the attacker's own 79 among interrupts nobody gave it. */
	write_read_back(gicd(GICD_ISENABLER + 8), 4, 0xffffffffu);
	probe_write32(gicd(GICD_ICENABLER + 8), 1u << (OWN_SPI % 32));
}

static void gicd_icenabler_word_foreign(void)
{
	write_read_back(gicd(GICD_ICENABLER + 4), 4, 0xffffffffu);
}

static void gicd_isenabler_halfword_mixed(void)
{
	write_read_back(gicd(GICD_ISENABLER + 8), 2, 0xffffu);
	probe_write32(gicd(GICD_ICENABLER + 8), 1u << (OWN_SPI % 32));
}

static void gicd_isenabler_byte_foreign(void)
{
	write_read_back(gicd(GICD_ISENABLER + 4), 1, 0xffu);
}

static void gicd_ipriorityr_byte_foreign(void)
{
	write_read_back(gicd(GICD_IPRIORITYR + FOREIGN_SPI), 1, 0x10u);
}

static void gicd_ipriorityr_byte_own(void)
{
	write_read_back(gicd(GICD_IPRIORITYR + OWN_SPI), 1, 0x20u);
}

static void gicd_ipriorityr_word_mixed(void)
{
	write_read_back(gicd(GICD_IPRIORITYR + (OWN_SPI & ~3u)), 4, 0x40404040u);
}

static void gicd_ipriorityr_halfword_mixed(void)
{
	write_read_back(gicd(GICD_IPRIORITYR + OWN_SPI - 1), 2, 0x5050u);
}

static void gicd_igroupr_foreign(void)
{
	/* Group 0 would make the UART's interrupt an FIQ. */
	write_read_back(gicd(GICD_IGROUPR + 4), 4, 0);
}

static void gicd_igrpmodr_foreign(void)
{
	write_read_back(gicd(GICD_IGRPMODR + 4), 4, 0xffffffffu);
}

static void gicd_icfgr_foreign(void)
{
	write_read_back(gicd(GICD_ICFGR + 8), 4, 0xffffffffu);
}

static void gicd_ispendr_foreign(void)
{
	write_read_back(gicd(GICD_ISPENDR + 4), 4, 1u << (FOREIGN_SPI % 32));
}

static void gicd_isactiver_foreign(void)
{
	write_read_back(gicd(GICD_ISACTIVER + 4), 4, 1u << (FOREIGN_SPI % 32));
}

static void gicd_icactiver_foreign(void)
{
	write_read_back(gicd(GICD_ICACTIVER + 4), 4, 0xffffffffu);
}

static void gicd_nsacr_foreign(void)
{
	write_read_back(gicd(GICD_NSACR + 8), 4, 0xffffffffu);
}

static void gicd_sgir_broadcast(void)
{
	/* TargetListFilter 1 (all but self), SGI 15: legacy, RES0 with affinity routing. */
	write_read_back(gicd(GICD_SGIR), 4, (1u << 24) | ATTACK_SGI);
}

static void gicd_typer_write(void)
{
	write_read_back(gicd(GICD_TYPER), 4, 0);
}

static void gicd_ctlr_disable(void)
{
	write_read_back(gicd(GICD_CTLR), 4, 0);
}

static void gicd_irouter_foreign(void)
{
	write64_read_back(gicd(GICD_IROUTER + 8 * FOREIGN_SPI), mpidr_affinity(info->cpu_mpidr[1]));
}

static void gicd_irouter_own_irm(void)
{
	write64_read_back(gicd(GICD_IROUTER + 8 * OWN_SPI), 1ull << 31);
}

static void gicd_irouter_own_aff3(void)
{
	write64_read_back(gicd(GICD_IROUTER + 8 * OWN_SPI), 1ull << 32);
}

static void gicd_irouter_own_foreign_cpu(void)
{
	/* Aff0 3: the realtime cell's CPU. */
	write64_read_back(gicd(GICD_IROUTER + 8 * OWN_SPI), 3);
}

static void gicd_beyond_frame(void)
{
	read_at(gicd(GICD_FRAME_BYTES), probe_read32);
}

/* ---- redistributors (I3, I2) ---- */

static void gicr_propbaser_hypervisor(void)
{
	write64_read_back(info->cpu_gicr_base[0] + GICR_PROPBASER, HYPERVISOR_MEMORY | 0xf);
}

static void gicr_pendbaser_hypervisor(void)
{
	write64_read_back(info->cpu_gicr_base[0] + GICR_PENDBASER, HYPERVISOR_MEMORY + 0x10000);
}

static void gicr_ctlr_enable_lpis(void)
{
	write_read_back(info->cpu_gicr_base[0] + GICR_CTLR, 4, 1);
}

static void gicr_foreign_waker_sleep(void)
{
	/* ProcessorSleep on the realtime CPU's redistributor would stop its interrupts. */
	hostile_arm();
	probe_write32(gicr_of(3) + GICR_WAKER, 2);
	fault_or("write completed, no fault");
}

static void gicr_foreign_disable_timer(void)
{
	hostile_arm();
	probe_write32(gicr_of(3) + GICR_SGI_FRAME_OFFSET + GICR_ICENABLER0, 1u << 30);
	fault_or("write completed, no fault");
}

static void gicr_foreign_pend_sgi(void)
{
	hostile_arm();
	probe_write32(gicr_of(3) + GICR_SGI_FRAME_OFFSET + GICR_ISPENDR0, 1u << ATTACK_SGI);
	fault_or("write completed, no fault");
}

/* ---- SGIs (I3) ---- */

static void sgi_foreign_target_list(void)
{
	sgi(SGI1R_TARGET_LIST(foreign_target_list()) | SGI1R_INTID(ATTACK_SGI));
}

static void sgi_irm_all_but_self(void)
{
	sgi(SGI1R_ALL_BUT_SELF | SGI1R_INTID(ATTACK_SGI));
}

static void sgi_hypervisor_kick_foreign(void)
{
	sgi(SGI1R_TARGET_LIST(foreign_target_list()) | SGI1R_INTID(HV_KICK_SGI));
}

static void sgi_range_selector(void)
{
	sgi(SGI1R_RANGE_SELECTOR(1) | SGI1R_TARGET_LIST(0xffff) | SGI1R_INTID(ATTACK_SGI));
}

static void sgi_other_affinity(void)
{
	sgi(SGI1R_AFF1(1) | SGI1R_AFF3(1) | SGI1R_TARGET_LIST(0xffff) | SGI1R_INTID(ATTACK_SGI));
}

static void sgi_asgi1r(void)
{
	hostile_arm();
	probe_write_asgi1r(SGI1R_ALL_BUT_SELF | SGI1R_INTID(ATTACK_SGI));
	fault_or("executed, no fault");
}

static void sgi_sgi0r(void)
{
	hostile_arm();
	probe_write_sgi0r(SGI1R_ALL_BUT_SELF | SGI1R_INTID(ATTACK_SGI));
	fault_or("executed, no fault");
}

/* ---- CPUs and firmware calls (I1) ---- */

static void psci_cpu_on_foreign(void)
{
	smc(PSCI_CPU_ON, 3, guest_ipa(guest_secondary_entry), GUEST_MAX_CPUS);
}

static void psci_cpu_on_foreign_by_hvc(void)
{
	hostile_arm();
	int64_t value =
		probe_hvc(PSCI_CPU_ON, 2, guest_ipa(guest_secondary_entry), GUEST_MAX_CPUS, 0, 0);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "returned %ld", value);
}

static void psci_affinity_info_foreign(void)
{
	smc(PSCI_AFFINITY_INFO, 3, 0, 0);
}

static void psci_cpu_on_hypervisor_entry(void)
{
	hostile_start_cpu1_at(HYPERVISOR_MEMORY, result, sizeof(result));
}

static void psci_cpu_on_foreign_entry(void)
{
	hostile_start_cpu1_at(TICKER_MEMORY, result, sizeof(result));
}

static void psci_cpu_on_gicd_entry(void)
{
	hostile_start_cpu1_at(info->gicd_base, result, sizeof(result));
}

static void psci_system_reset2(void)
{
	smc(PSCI_SYSTEM_RESET2_64, 0, 0, 0);
}

static void psci_system_suspend(void)
{
	smc(PSCI_SYSTEM_SUSPEND64, HYPERVISOR_MEMORY, 0, 0);
}

static void psci_mem_protect(void)
{
	smc(PSCI_MEM_PROTECT, 1, 0, 0);
}

static void psci_mem_protect_check_range(void)
{
	smc(PSCI_MEM_PROTECT_CHECK_RANGE64, HYPERVISOR_MEMORY, 0x1000, 0);
}

static void psci_features_reset2(void)
{
	smc(PSCI_FEATURES, PSCI_SYSTEM_RESET2_64, 0, 0);
}

static void smccc_version(void)
{
	smc(SMCCC_VERSION, 0, 0, 0);
}

static void smccc_arch_features(void)
{
	smc(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0);
}

static void smccc_workaround_1(void)
{
	smc(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0);
}

static void smccc_workaround_2(void)
{
	smc(SMCCC_ARCH_WORKAROUND_2, 0, 0, 0);
}

static void smccc_workaround_3(void)
{
	smc(SMCCC_ARCH_WORKAROUND_3, 0, 0, 0);
}

static void smc_trusted_os(void)
{
	smc(SMCCC_TRUSTED_OS_CALL, 0, 0, 0);
}

static void hvc_oem_service(void)
{
	hostile_arm();
	int64_t value = probe_hvc(SMCCC_OEM_CALL, 0, 0, 0, 0, 0);

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "returned %ld", value);
}

/*
 * CPU_SUSPEND on the second CPU with nothing that could wake it: the cell
 * still stops when it exits and the machine still powers off (the host
 * checks the end of the run); the attacker does not wait for the CPU.
 */
static volatile bool suspend_returned;

static void suspend_forever(unsigned int index)
{
	(void)index;
	psci_call(PSCI_CPU_SUSPEND64, 0, 0, 0);
	suspend_returned = true;
}

static void psci_cpu_suspend_no_wakeup(void)
{
	if (info->cpu_count < 2) {
		say("skipped (cell has one cpu)");
		return;
	}
	int64_t value = guest_start_cpu(1, suspend_forever);

	/* A while for it to reach the hypervisor's WFI. */
	for (unsigned long spin = 0; spin < 1000000ul; spin++)
		__asm__ volatile("yield");
	format_snprintf(result, sizeof(result), "cpu 1 started (%ld), %s", value,
			suspend_returned ? "suspend returned" : "suspended");
}

/* ---- system registers (I2, I4, I5) ---- */

static void sysreg_dc_cisw_storm(void)
{
	hostile_arm();
	probe_dc_cisw_loop(0, FLOOD_COUNT);
	fault_or("executed, no fault");
}

static void sysreg_tlbi_storm(void)
{
	hostile_arm();
	probe_tlbi_storm(FLOOD_COUNT);
	fault_or("executed, no fault");
}

static void sysreg_cntvoff_el2(void)
{
	hostile_arm();
	probe_write_cntvoff_el2(1ull << 40);
	fault_or("executed, no fault");
}

static void sysreg_cnthctl_el2(void)
{
	hostile_arm();
	probe_write_cnthctl_el2(0);
	fault_or("executed, no fault");
}

static void sysreg_cnthp_ctl_el2(void)
{
	hostile_arm();
	probe_write_cnthp_ctl_el2(0);
	fault_or("executed, no fault");
}

static void sysreg_hcr_el2_read(void)
{
	hostile_arm();
	uint64_t hcr = probe_read_hcr_el2();

	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result), "read 0x%lx, no fault", hcr);
}

static void sysreg_vbar_el2(void)
{
	hostile_arm();
	probe_write_vbar_el2(guest_ipa(probe_breakpoint_target));
	fault_or("executed, no fault");
}

/*
 * The cycle counter filtered to EL2 only: any count over a hundred
 * hypercalls is time spent in the hypervisor, a channel into it.
 */
static void pmu_count_el2_cycles(void)
{
	hostile_arm();
	uint64_t filter = probe_pmu_setup(PMCCFILTR_EL2_ONLY);

	if (hostile_disarm(result, sizeof(result)))
		return;
	uint64_t before = probe_read_pmccntr();
	struct bh_cell_info cell;

	for (int i = 0; i < 100; i++)
		bh_cell_info(BH_CELL_SELF, &cell);
	uint64_t after = probe_read_pmccntr();

	format_snprintf(result, sizeof(result),
			"pmccfiltr read back 0x%lx, el2 cycles over 100 hypercalls: %lu", filter,
			after - before);
}

static uint64_t watched;

static void debug_breakpoint_control(void)
{
	probe_debug_arm(guest_ipa(probe_breakpoint_target), guest_ipa(&watched));
	hostile_arm();
	probe_breakpoint_target();
	fault_or("no debug exception");
	probe_debug_disarm();
}

static void debug_watchpoint_control(void)
{
	probe_debug_arm(guest_ipa(probe_breakpoint_target), guest_ipa(&watched));
	hostile_arm();
	probe_read64(guest_ipa(&watched));
	fault_or("no debug exception");
	probe_debug_disarm();
}

/* Breakpoint on the hypervisor's first instruction page, watchpoint on its data. */
static void debug_hypervisor_addresses(void)
{
	struct bh_cell_info cell;
	int64_t failed = 0;

	probe_debug_arm(HYPERVISOR_MEMORY, HYPERVISOR_MEMORY + 0x100000);
	hostile_arm();
	for (int i = 0; i < 100; i++)
		failed += bh_cell_info(BH_CELL_SELF, &cell) != 0;
	if (!hostile_disarm(result, sizeof(result)))
		format_snprintf(result, sizeof(result),
				"no debug exception, %ld of 100 hypercalls failed", failed);
	probe_debug_disarm();
}

/* ---- hypercalls (I7) ---- */

/*
 * Every function number 0-255 (6, the caller's own exit, excepted) with
 * hypervisor addresses in every argument: the answers, grouped.
 */
static void hc_every_number_wild_pointers(void)
{
	uint32_t enosys = 0;
	char *text = result;
	size_t left = sizeof(result);

	for (uint32_t n = 0; n < 256; n++) {
		if (BH_HC_BASE + n == BH_HC_CELL_EXIT)
			continue;
		hostile_arm();
		int64_t value = probe_hvc(BH_HC_BASE + n, HYPERVISOR_MEMORY, HYPERVISOR_MEMORY,
					  HYPERVISOR_MEMORY, HYPERVISOR_MEMORY, HYPERVISOR_MEMORY);
		char fault[HOSTILE_TEXT_MAX];

		if (hostile_disarm(fault, sizeof(fault)))
			value = 1000; /* not an answer any call gives */
		if (value == -BH_ENOSYS) {
			enosys++;
			continue;
		}
		int used = format_snprintf(text, left, "%u:%ld ", n, value);

		if (used > 0 && (size_t)used < left) {
			text += used;
			left -= (size_t)used;
		}
	}
	format_snprintf(text, left, "others:-38 x%u", enosys);
}

static void hc_console_foreign(void)
{
	hvc(BH_HC_CONSOLE_WRITE, TICKER_MEMORY, 16, 0);
}

static void hc_console_hypervisor(void)
{
	hvc(BH_HC_CONSOLE_WRITE, HYPERVISOR_MEMORY, 16, 0);
}

static void hc_console_wrapping(void)
{
	hvc(BH_HC_CONSOLE_WRITE, 0xfffffffffffffff0ull, 32, 0);
}

static void hc_console_crossing_region_end(void)
{
	hvc(BH_HC_CONSOLE_WRITE, own_end() - 8, 16, 0);
}

static void hc_console_too_long(void)
{
	hvc(BH_HC_CONSOLE_WRITE, own_end() - 0x1000, BH_CONSOLE_WRITE_MAX + 1, 0);
}

/* A text that crosses a page boundary inside the cell's memory: printed. */
static char page_crossing_text[8192] __attribute__((aligned(4096)));

static void hc_console_page_crossing_control(void)
{
	char *text = page_crossing_text + 4096 - 8;

	for (int i = 0; i < 15; i++)
		text[i] = "page crossing!\n"[i];
	hvc(BH_HC_CONSOLE_WRITE, guest_ipa(text), 15, 0);
}

/*
 * A console buffer another CPU rewrites during the calls (a channel's peer
 * can do the same to a buffer in channel memory; the hypervisor cannot tell
 * the two apart): cpu 1 flips its middle between letters and escape bytes.
 * The hypervisor copies the buffer once, then cleans and prints the copy, so
 * every call returns the length, and the host checks that no control byte
 * reached the console (containment.py, victim_checks).
 */
#define TOCTOU_CALLS 200u

static char toctou_text[TOCTOU_TEXT_BYTES] __attribute__((aligned(64)));
static volatile bool toctou_flipping, toctou_stop;
static volatile uint64_t toctou_flips;

static void toctou_flipper(unsigned int index)
{
	(void)index;
	toctou_flipping = true;
	while (!toctou_stop) {
		toctou_flip(toctou_text, toctou_flips);
		toctou_flips = toctou_flips + 1;
	}
	toctou_flipping = false;
}

/* The buffer's fixed parts: the prefix and the line end; the flipper owns the middle. */
static void toctou_frame(char *text)
{
	for (size_t i = 0; i < TOCTOU_TEXT_BYTES - 1; i++)
		text[i] = i < sizeof(TOCTOU_PREFIX) - 1 ? TOCTOU_PREFIX[i] : 'x';
	text[TOCTOU_TEXT_BYTES - 1] = '\n';
}

/* TOCTOU_CALLS console writes of `text`: how many returned its whole length. */
static unsigned int toctou_calls(const char *text)
{
	unsigned int right = 0;

	for (unsigned int call = 0; call < TOCTOU_CALLS; call++)
		right += bh_console_write(text, TOCTOU_TEXT_BYTES) == TOCTOU_TEXT_BYTES;
	return right;
}

static void hc_console_buffer_rewritten_during_call(void)
{
	if (info->cpu_count < 2) {
		say("skipped (cell has one cpu)");
		return;
	}
	toctou_frame(toctou_text);
	toctou_stop = false;
	toctou_flips = 0;
	int64_t on = guest_start_cpu(1, toctou_flipper);

	while (on == 0 && !toctou_flipping)
		__asm__ volatile("yield");
	uint64_t flips_before = toctou_flips;
	unsigned int right = toctou_calls(toctou_text);
	uint64_t flips = toctou_flips - flips_before;

	toctou_stop = true;
	format_snprintf(result, sizeof(result),
			"cpu 1 started (%ld), returned %u for %u of %u calls while it flipped the "
			"buffer %lu times, cpu 1 off again: %s",
			on, TOCTOU_TEXT_BYTES, right, TOCTOU_CALLS, flips,
			hostile_wait_affinity_off(mpidr_affinity(info->cpu_mpidr[1])) ==
					PSCI_AFFINITY_OFF
				? "yes"
				: "no");
}

static void hc_cell_info_hypervisor_buffer(void)
{
	hvc(BH_HC_CELL_INFO, BH_CELL_SELF, HYPERVISOR_MEMORY, sizeof(struct bh_cell_info));
}

static void hc_cell_info_wrapping_buffer(void)
{
	hvc(BH_HC_CELL_INFO, BH_CELL_SELF, 0xffffffffffffffc0ull, sizeof(struct bh_cell_info));
}

/* A huge size must not make the hypervisor write past the record. */
static void hc_cell_info_huge_size(void)
{
	uint8_t *buffer = (uint8_t *)page_crossing_text;
	uint32_t touched = 0;

	for (size_t i = 0; i < 256; i++)
		buffer[i] = 0xa5;
	hostile_arm();
	int64_t value = probe_hvc(BH_HC_CELL_INFO, BH_CELL_SELF, guest_ipa(buffer), ~0ull, 0, 0);

	if (hostile_disarm(result, sizeof(result)))
		return;
	for (size_t i = sizeof(struct bh_cell_info); i < 256; i++)
		touched += buffer[i] != 0xa5;
	format_snprintf(result, sizeof(result), "returned %ld, %u byte(s) past the record changed",
			value, touched);
}

static void hc_cell_info_id_high_bits(void)
{
	/* Truncated to 32 bits, 0x1_0000_0001 would name cell 1. */
	hvc(BH_HC_CELL_INFO, 0x100000001ull, guest_ipa(page_crossing_text),
	    sizeof(struct bh_cell_info));
}

static void hc_cpu_stats_cpu_high_bits(void)
{
	hvc(BH_HC_CPU_STATS, 0x100000003ull, guest_ipa(page_crossing_text),
	    sizeof(struct bh_cpu_stats));
}

static void hc_cpu_stats_foreign_buffer(void)
{
	hvc(BH_HC_CPU_STATS, 0, HELLO_MEMORY, sizeof(struct bh_cpu_stats));
}

static void hc_cpu_stats_crossing_region_end(void)
{
	hvc(BH_HC_CPU_STATS, 0, own_end() - 8, sizeof(struct bh_cpu_stats));
}

static void hc_doorbell_not_a_channel(void)
{
	hvc(BH_HC_DOORBELL, 0, 0, 0);
}

static void hc_doorbell_huge_index(void)
{
	hvc(BH_HC_DOORBELL, ~0ull, 0, 0);
}

static void hc_mailbox_ack_unasked(void)
{
	hvc(BH_HC_MAILBOX_ACK, 0, 0, 0);
}

static void hc_function_upper_bits(void)
{
	/* SMCCC: only W0 is the function id; the upper half must not select anything else. */
	hvc(0xffffffff00000000ull | BH_HC_BASE | 0xff, 0, 0, 0);
}

/* ---- floods (I4, I5, I6) ---- */

static void flood_stage2_faults(void)
{
	uint32_t faults = 0;
	char fault[HOSTILE_TEXT_MAX];

	for (uint32_t i = 0; i < FLOOD_COUNT; i++) {
		hostile_arm();
		probe_read64(TICKER_MEMORY + (i & 0xff) * 0x1000);
		faults += hostile_disarm(fault, sizeof(fault));
	}
	format_snprintf(result, sizeof(result), "%u of %u reads faulted", faults, FLOOD_COUNT);
}

static void flood_gicd_traps(void)
{
	for (uint32_t i = 0; i < FLOOD_COUNT; i++)
		mmio_write32(gicd(GICD_IPRIORITYR + (OWN_SPI & ~3u)), i);
	format_snprintf(result, sizeof(result), "%u distributor writes done", FLOOD_COUNT);
}

static void flood_foreign_sgis(void)
{
	uint64_t sgi1r = SGI1R_TARGET_LIST(foreign_target_list()) | SGI1R_INTID(ATTACK_SGI);

	for (uint32_t i = 0; i < FLOOD_COUNT; i++)
		gic_send_sgi1r(sgi1r);
	format_snprintf(result, sizeof(result), "%u sgi writes done", FLOOD_COUNT);
}

/* The attacker's own device interrupt, raised and taken as fast as it can. */
static volatile uint32_t own_interrupts;

static void own_irq(struct exception_frame *frame)
{
	(void)frame;
	uint32_t iar = gic_acknowledge();

	if ((iar & GIC_INTID_MASK) == OWN_SPI)
		own_interrupts++;
	if ((iar & GIC_INTID_MASK) < 1020)
		gic_end_of_interrupt(iar);
}

static void flood_own_interrupts(void)
{
	const uint32_t count = 2000;

	guest_set_irq_handler(own_irq);
	gic_cpu_interface_enable();
	mmio_write64(gicd(GICD_IROUTER + 8 * OWN_SPI), mpidr_affinity(info->cpu_mpidr[0]));
	*(volatile uint8_t *)(uintptr_t)gicd(GICD_IPRIORITYR + OWN_SPI) = 0x80;
	mmio_write32(gicd(GICD_ISENABLER + 8), 1u << (OWN_SPI % 32));
	irq_unmask();
	for (uint32_t i = 0; i < count; i++) {
		uint32_t seen = own_interrupts;

		mmio_write32(gicd(GICD_ISPENDR + 8), 1u << (OWN_SPI % 32));
		for (uint32_t spin = 0; spin < 100000 && own_interrupts == seen; spin++)
			__asm__ volatile("yield");
	}
	irq_mask();
	mmio_write32(gicd(GICD_ICENABLER + 8), 1u << (OWN_SPI % 32));
	format_snprintf(result, sizeof(result), "%u of %u interrupts taken", own_interrupts, count);
}

#define CASE(fn) \
	{ \
#fn, fn \
	}

static const struct attack_case cases[] = {
	CASE(mem_foreign_ram_read),
	CASE(mem_foreign_ram_write),
	CASE(mem_hypervisor_read),
	CASE(mem_hypervisor_write),
	CASE(mem_unassigned_write),
	CASE(mem_foreign_uart),
	CASE(mem_foreign_virtio),
	CASE(mem_its_frame),
	CASE(mem_top_of_48bit_space),
	CASE(mem_top_of_64bit_space),
	CASE(mem_ldp_crossing_region_end),
	CASE(mem_misaligned_crossing_region_end),
	CASE(mem_exclusive_load_foreign),
	CASE(mem_exclusive_load_gicd),
	CASE(mem_exclusive_store_gicd),
	CASE(mem_pair_load_gicd),
	CASE(mem_dc_ivac_foreign),
	CASE(mem_dc_civac_hypervisor),
	CASE(mem_dc_zva_foreign),
	CASE(gicd_isenabler_word_mixed),
	CASE(gicd_icenabler_word_foreign),
	CASE(gicd_isenabler_halfword_mixed),
	CASE(gicd_isenabler_byte_foreign),
	CASE(gicd_ipriorityr_byte_foreign),
	CASE(gicd_ipriorityr_byte_own),
	CASE(gicd_ipriorityr_word_mixed),
	CASE(gicd_ipriorityr_halfword_mixed),
	CASE(gicd_igroupr_foreign),
	CASE(gicd_igrpmodr_foreign),
	CASE(gicd_icfgr_foreign),
	CASE(gicd_ispendr_foreign),
	CASE(gicd_isactiver_foreign),
	CASE(gicd_icactiver_foreign),
	CASE(gicd_nsacr_foreign),
	CASE(gicd_sgir_broadcast),
	CASE(gicd_typer_write),
	CASE(gicd_ctlr_disable),
	CASE(gicd_irouter_foreign),
	CASE(gicd_irouter_own_irm),
	CASE(gicd_irouter_own_aff3),
	CASE(gicd_irouter_own_foreign_cpu),
	CASE(gicd_beyond_frame),
	CASE(gicr_propbaser_hypervisor),
	CASE(gicr_pendbaser_hypervisor),
	CASE(gicr_ctlr_enable_lpis),
	CASE(gicr_foreign_waker_sleep),
	CASE(gicr_foreign_disable_timer),
	CASE(gicr_foreign_pend_sgi),
	CASE(sgi_foreign_target_list),
	CASE(sgi_irm_all_but_self),
	CASE(sgi_hypervisor_kick_foreign),
	CASE(sgi_range_selector),
	CASE(sgi_other_affinity),
	CASE(sgi_asgi1r),
	CASE(sgi_sgi0r),
	CASE(psci_cpu_on_foreign),
	CASE(psci_cpu_on_foreign_by_hvc),
	CASE(psci_affinity_info_foreign),
	CASE(psci_cpu_on_hypervisor_entry),
	CASE(psci_cpu_on_foreign_entry),
	CASE(psci_cpu_on_gicd_entry),
	CASE(psci_system_reset2),
	CASE(psci_system_suspend),
	CASE(psci_mem_protect),
	CASE(psci_mem_protect_check_range),
	CASE(psci_features_reset2),
	CASE(smccc_version),
	CASE(smccc_arch_features),
	CASE(smccc_workaround_1),
	CASE(smccc_workaround_2),
	CASE(smccc_workaround_3),
	CASE(smc_trusted_os),
	CASE(hvc_oem_service),
	CASE(sysreg_dc_cisw_storm),
	CASE(sysreg_tlbi_storm),
	CASE(sysreg_cntvoff_el2),
	CASE(sysreg_cnthctl_el2),
	CASE(sysreg_cnthp_ctl_el2),
	CASE(sysreg_hcr_el2_read),
	CASE(sysreg_vbar_el2),
	CASE(pmu_count_el2_cycles),
	CASE(debug_breakpoint_control),
	CASE(debug_watchpoint_control),
	CASE(debug_hypervisor_addresses),
	CASE(hc_every_number_wild_pointers),
	CASE(hc_console_foreign),
	CASE(hc_console_hypervisor),
	CASE(hc_console_wrapping),
	CASE(hc_console_crossing_region_end),
	CASE(hc_console_too_long),
	CASE(hc_console_page_crossing_control),
	CASE(hc_console_buffer_rewritten_during_call),
	CASE(hc_cell_info_hypervisor_buffer),
	CASE(hc_cell_info_wrapping_buffer),
	CASE(hc_cell_info_huge_size),
	CASE(hc_cell_info_id_high_bits),
	CASE(hc_cpu_stats_cpu_high_bits),
	CASE(hc_cpu_stats_foreign_buffer),
	CASE(hc_cpu_stats_crossing_region_end),
	CASE(hc_doorbell_not_a_channel),
	CASE(hc_doorbell_huge_index),
	CASE(hc_mailbox_ack_unasked),
	CASE(hc_function_upper_bits),
	CASE(flood_stage2_faults),
	CASE(flood_gicd_traps),
	CASE(flood_foreign_sgis),
	CASE(flood_own_interrupts),
	/* Last: it leaves cpu 1 suspended until the cell stops. */
	CASE(psci_cpu_suspend_no_wakeup),
};

/*
 * ---- a direct (realtime) attacker (tests/containment/systems/
 * containment-direct.dts): its SGIs and ICC_DIR_EL1 writes need no trap ----
 */

/* containment-direct.dts: a virtual ticker on CPU 2, the direct one on CPU 3. */
#define VIRTUAL_VICTIM_CPU 2u
#define DIRECT_VICTIM_CPU 3u
#define VIRTUAL_VICTIM_SPI 79u
/* ticker.c's period: the virtual victim's own timer enters at most once per period. */
#define VICTIM_PERIOD_US 100u
#define DIRECT_SGI_COUNT 1000u
#define GICR_SGI_FRAME 0x10000u
#define GICR_SGI_ISENABLER0 0x0100u

static uint64_t entries_of_cpu(unsigned int cpu)
{
	struct bh_cpu_stats stats;

	return bh_cpu_stats(cpu, &stats) < 0 ? ~0ull : stats.entries_total;
}

/*
 * `count` SGIs `intid` at the virtual victim's CPU, and what they cost it:
 * its entries meanwhile beside the number of its own timer periods in the
 * same span (each may add one entry of its own, plus one at either end).
 */
static void storm_virtual_victim(uint32_t intid, unsigned int count)
{
	uint64_t sgi1r = SGI1R_TARGET_LIST(1u << VIRTUAL_VICTIM_CPU) | SGI1R_INTID(intid);
	uint64_t period = timer_frequency_hz() * VICTIM_PERIOD_US / 1000000u;
	uint64_t entries = entries_of_cpu(VIRTUAL_VICTIM_CPU);
	uint64_t start = timer_now_ticks();

	for (unsigned int i = 0; i < count; i++)
		gic_send_sgi1r(sgi1r);
	uint64_t periods = (timer_now_ticks() - start) / period + 2;

	entries = entries_of_cpu(VIRTUAL_VICTIM_CPU) - entries;
	format_snprintf(result, sizeof(result),
			"%u SGI %u writes; victim cpu %u: +%lu entries over %lu of its timer "
			"periods",
			count, intid, VIRTUAL_VICTIM_CPU, entries, periods);
}

static void direct_sgi15_storm_at_virtual_cpu(void)
{
	storm_virtual_victim(ATTACK_SGI, FLOOD_COUNT);
}

static void direct_sgi0_storm_at_virtual_cpu(void)
{
	storm_virtual_victim(0, FLOOD_COUNT);
}

static void direct_kick_sgi_storm_at_virtual_cpu(void)
{
	storm_virtual_victim(HV_KICK_SGI, FLOOD_COUNT);
}

/* The direct victim's enabled SGI 15 and its unused SGIs 0 and 7 (documented trust). */
static void direct_sgis_at_direct_victim(void)
{
	static const uint32_t intids[] = { ATTACK_SGI, 0, 7 };

	for (size_t k = 0; k < sizeof(intids) / sizeof(intids[0]); k++)
		for (unsigned int i = 0; i < DIRECT_SGI_COUNT; i++)
			gic_send_sgi1r(SGI1R_TARGET_LIST(1u << DIRECT_VICTIM_CPU) |
				       SGI1R_INTID(intids[k]));
	format_snprintf(result, sizeof(result), "%u sgi writes done (SGI 15, 0, 7)",
			3 * DIRECT_SGI_COUNT);
}

static void direct_dir_foreign_spi(void)
{
	hostile_arm();
	probe_write_dir(VIRTUAL_VICTIM_SPI);
	fault_or("executed, no fault");
}

static void direct_gicd_foreign_spi_disable(void)
{
	write_read_back(gicd(GICD_ICENABLER + 4 * (VIRTUAL_VICTIM_SPI / 32)), 4, 0xffffffffu);
}

static void direct_gicr_own_sgi_frame_control(void)
{
	read_at(info->cpu_gicr_base[0] + GICR_SGI_FRAME + GICR_SGI_ISENABLER0, probe_read32);
}

static void direct_gicr_foreign_sgi_frame(void)
{
	hostile_arm();
	probe_write32(gicr_of(DIRECT_VICTIM_CPU) + GICR_SGI_FRAME + GICR_ISPENDR0, 1u << 15);
	fault_or("write completed, no fault");
}

static void direct_gicr_virtual_victim_sgi_frame(void)
{
	read_at(gicr_of(VIRTUAL_VICTIM_CPU) + GICR_SGI_FRAME + GICR_SGI_ISENABLER0, probe_read32);
}

static void direct_gicr_foreign_waker_sleep(void)
{
	hostile_arm();
	probe_write32(gicr_of(DIRECT_VICTIM_CPU) + GICR_WAKER, 2);
	fault_or("write completed, no fault");
}

/*
 * The same with the buffer in a channel and the writer another cell (the
 * peer, peer.c, on CPU 1): the hypervisor must not trust a buffer the caller
 * shares either.
 */
static void direct_console_buffer_in_channel_rewritten_by_peer(void)
{
	if (info->channel_count == 0) {
		say("skipped (no channel)");
		return;
	}
	struct toctou_channel *ch = (void *)(uintptr_t)info->channels[0].guest_phys;
	uint64_t give_up = timer_now_ticks() + timer_frequency_hz();

	toctou_frame(ch->text);
	while (!ch->flipping && timer_now_ticks() < give_up)
		__asm__ volatile("yield");
	uint64_t flips_before = ch->flips;
	unsigned int right = toctou_calls(ch->text);

	ch->stop = 1;
	format_snprintf(result, sizeof(result),
			"returned %u for %u of %u calls while the peer cell flipped the buffer %lu "
			"times",
			TOCTOU_TEXT_BYTES, right, TOCTOU_CALLS, ch->flips - flips_before);
}

static const struct attack_case direct_cases[] = {
	CASE(direct_console_buffer_in_channel_rewritten_by_peer),
	CASE(direct_gicr_own_sgi_frame_control),
	CASE(direct_gicr_foreign_sgi_frame),
	CASE(direct_gicr_virtual_victim_sgi_frame),
	CASE(direct_gicr_foreign_waker_sleep),
	CASE(direct_gicd_foreign_spi_disable),
	CASE(direct_dir_foreign_spi),
	CASE(direct_sgi15_storm_at_virtual_cpu),
	CASE(direct_sgi0_storm_at_virtual_cpu),
	CASE(direct_kick_sgi_storm_at_virtual_cpu),
	CASE(direct_sgis_at_direct_victim),
};

/* The logical CPU of the first realtime cell but this one, from the hypervisor's cell table. */
static int find_realtime_cpu(void)
{
	struct bh_cell_info cell;

	if (bh_cell_info(BH_CELL_SELF, &cell) < 0)
		return -1;
	uint32_t count = cell.cell_count;

	for (uint32_t id = 0; id < count; id++)
		if (id != info->cell_id && bh_cell_info(id, &cell) == 0 &&
		    (cell.flags & BH_CELL_REALTIME) && cell.cpu_mask)
			return __builtin_ctzll(cell.cpu_mask);
	return -1;
}

uint64_t catalogue_rt_entries(void)
{
	struct bh_cpu_stats stats;

	if (rt_cpu < 0 || bh_cpu_stats((uint32_t)rt_cpu, &stats) < 0)
		return ~0ull;
	return stats.entries_total;
}

/*
 * Waits (bounded) until the realtime CPU's counters stand still for 10 ms
 * after its first entry: its cell has made its start-up hypercalls and is in
 * its measured window (a count still at zero is a cell not yet started).
 */
static void await_realtime_steady_state(uint64_t give_up)
{
	uint64_t tick = timer_frequency_hz() / 100;
	uint64_t last = catalogue_rt_entries();
	uint64_t since = timer_now_ticks();

	while (timer_now_ticks() < give_up && (last == 0 || timer_now_ticks() - since < tick)) {
		uint64_t now = catalogue_rt_entries();

		if (now != last) {
			last = now;
			since = timer_now_ticks();
		}
	}
}

/* Waits (bounded) until the virtual victim takes its timer interrupts: it is in its window. */
static void await_virtual_victim_window(uint64_t give_up)
{
	struct bh_cpu_stats stats;

	while (timer_now_ticks() < give_up &&
	       (bh_cpu_stats(VIRTUAL_VICTIM_CPU, &stats) < 0 || stats.entries[BH_ENTRY_IRQ] == 0))
		;
}

void catalogue_run(const struct bh_boot_info *boot_info)
{
	bool direct = hostile_params.catalogue == HOSTILE_CATALOGUE_DIRECT;
	const struct attack_case *run = direct ? direct_cases : cases;
	size_t count = direct ? sizeof(direct_cases) / sizeof(direct_cases[0])
			      : sizeof(cases) / sizeof(cases[0]);

	info = boot_info;
	uint64_t give_up = timer_now_ticks() + 5 * timer_frequency_hz();

	rt_cpu = find_realtime_cpu();
	await_realtime_steady_state(give_up);
	if (direct)
		await_virtual_victim_window(give_up);
	console_printf("hostile: catalogue%s: %u cases, realtime cpu %d\n",
		       direct ? " of a direct attacker" : "", (unsigned int)count, rt_cpu);
	for (size_t i = 0; i < count; i++) {
		uint64_t before = catalogue_rt_entries();

		result[0] = '\0';
		run[i].run();
		uint64_t after = catalogue_rt_entries();

		if (before == ~0ull || after == ~0ull)
			console_printf("hostile: case %s: %s [rt_entries=unknown]\n", run[i].id,
				       result);
		else
			console_printf("hostile: case %s: %s [rt_entries=%lu]\n", run[i].id, result,
				       after - before);
	}
	console_printf("hostile: catalogue: done\n");
}
