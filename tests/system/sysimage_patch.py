"""Editing the binary config inside a system image, as a hand-made image would.

bhcfg refuses many mistakes before it writes an image; the tests of the
hypervisor's own boot-time gate need those mistakes in an image anyway. They
build a good image, edit the config in it here and reseal the config CRC, the
config item's CRC and the image header's CRC (abi/include/bulkhead/sysimage.h,
config.h), so only the hypervisor's checks stand between the edit and a cell.
"""

import struct
import zlib

SYSIMAGE_HEADER = struct.Struct("<8I")  # magic version total crc count table_off item_size rsvd
ITEM = struct.Struct("<II32sIIII")  # kind cell name offset size crc reserved
ITEM_CONFIG = 1

# struct bh_config_header
CFG_CRC = 12
HV_MEMORY, LOADER_AREA = 56, 72  # struct bh_range: base, size_bytes
CELLS_TABLE, REGIONS_TABLE, DEVICES_TABLE = 112, 128, 144  # struct bh_table: count, offset, size
# struct bh_cell, struct bh_mem_region, struct bh_device
CELL_BYTES, REGION_BYTES, DEVICE_BYTES = 248, 40, 64
CELL_FLAGS, CELL_ENTRY, CELL_IMAGE_AT, CELL_REGION_FIRST = 32, 176, 200, 224
CELL_DEVICE_FIRST = 232
REGION_GUEST, REGION_HOST, REGION_SIZE, REGION_FLAGS = 0, 8, 16, 28
DEVICE_BASE, DEVICE_SIZE = 40, 48
BH_CELL_REALTIME = 1
BH_MEM_READ, BH_MEM_EXEC = 1, 4


class SystemImage:
    """A system image whose config can be edited and resealed.

    Offsets given to u32/u64/put32/put64 are relative to the config's start.
    """

    def __init__(self, data):
        self.data = bytearray(data)
        header = SYSIMAGE_HEADER.unpack_from(self.data)
        self.item_count, self.table_off = header[4], header[5]
        for i in range(self.item_count):
            kind, _, _, offset, size, _, _ = ITEM.unpack_from(self.data, self.item_at(i))
            if kind == ITEM_CONFIG:
                self.config_item, self.config_off, self.config_size = i, offset, size
                break
        else:
            raise AssertionError("no CONFIG item")

    def item_at(self, i):
        return self.table_off + i * ITEM.size

    def u32(self, at):
        return struct.unpack_from("<I", self.data, self.config_off + at)[0]

    def u64(self, at):
        return struct.unpack_from("<Q", self.data, self.config_off + at)[0]

    def put32(self, at, value):
        struct.pack_into("<I", self.data, self.config_off + at, value)

    def put64(self, at, value):
        struct.pack_into("<Q", self.data, self.config_off + at, value)

    def cell(self, name):
        count, offset = self.u32(CELLS_TABLE), self.u32(CELLS_TABLE + 4)
        for i in range(count):
            at = offset + i * CELL_BYTES
            raw = bytes(self.data[self.config_off + at:self.config_off + at + 32])
            if raw.split(b"\0")[0].decode() == name:
                return at
        raise KeyError(name)

    def region(self, index):
        """Region `index` of the whole table."""
        return self.u32(REGIONS_TABLE + 4) + index * REGION_BYTES

    def first_region(self, cell_at):
        return self.region(self.u32(cell_at + CELL_REGION_FIRST))

    def first_device(self, cell_at):
        first = self.u32(cell_at + CELL_DEVICE_FIRST)
        return self.u32(DEVICES_TABLE + 4) + first * DEVICE_BYTES

    def seal(self):
        """Config CRC, then the config item's CRC, then the header CRC."""
        config = self.data[self.config_off:self.config_off + self.config_size]
        struct.pack_into("<I", config, CFG_CRC, 0)
        self.put32(CFG_CRC, zlib.crc32(config))
        payload = self.data[self.config_off:self.config_off + self.config_size]
        struct.pack_into("<I", self.data, self.item_at(self.config_item) + 48,
                         zlib.crc32(payload))
        table_end = self.table_off + self.item_count * ITEM.size
        struct.pack_into("<I", self.data, 12, 0)
        struct.pack_into("<I", self.data, 12, zlib.crc32(self.data[:table_end]))


def patch_image(image_path, patch, out_path):
    """Writes image_path with `patch(SystemImage)` applied and resealed to out_path."""
    image = SystemImage(image_path.read_bytes())
    patch(image)
    image.seal()
    out_path.write_bytes(image.data)
    return out_path
