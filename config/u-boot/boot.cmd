# Bulkhead on U-Boot: the boot script of a boot partition (docs/arm64-install.md).
# U-Boot's distro boot runs boot.scr (`mkimage -T script -d boot.cmd boot.scr`) from
# the first partition holding one, with devtype, devnum, distro_bootpart and prefix set.
# The addresses are QEMU virt's (RAM at 0x40000000, config/qemu-arm64/linux-rt.dts):
# the system image and the device tree go to the description's /hypervisor loader-area,
# which no cell overlaps; booti moves the hypervisor to its link address (RAM + 2 MiB).
setenv bulkhead_sysimage 0x48000000
setenv bulkhead_fdt 0x4fe00000
echo Bulkhead: loading the hypervisor and the system image from ${devtype} ${devnum}:${distro_bootpart}
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} ${prefix}bulkhead-hv.bin
load ${devtype} ${devnum}:${distro_bootpart} ${bulkhead_sysimage} ${prefix}system.img
setenv bulkhead_sysimage_size ${filesize}
# The board's device tree (here QEMU's, which U-Boot runs on), copied into the loader area;
# booti adds /chosen linux,initrd-start/-end: where the hypervisor finds the system image.
fdt addr ${fdtcontroladdr}
fdt move ${fdtcontroladdr} ${bulkhead_fdt} 0x100000
# Keep both where they are: U-Boot would otherwise copy them to the top of RAM.
setenv fdt_high 0xffffffffffffffff
setenv initrd_high 0xffffffffffffffff
booti ${kernel_addr_r} ${bulkhead_sysimage}:${bulkhead_sysimage_size} ${bulkhead_fdt}
