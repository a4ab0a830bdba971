"""Just enough of a system description (.dts source, config/bindings.md) for the phases: which
cells are realtime and on which CPUs, where their memory is (Linux's attack aims there), the same
system without its non-realtime cells (the "realtime cell alone" phase), Linux's bootargs, and a
device added to the Linux cells (the measurement's scratch disk).

Works on the source text: node spans are found by brace matching on a copy with comments and
strings blanked out; edits cut the original text, so what is kept stays byte for byte.
Limits: no /include/, no labels or references across the removed cells.
"""

import re


def _blank(text):
    """Comments and string contents replaced by spaces (same length, same offsets)."""
    out = list(text)
    for m in re.finditer(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"', text, re.S):
        start, end = m.span()
        if m.group(0).startswith('"'):
            start, end = start + 1, end - 1
        for i in range(start, end):
            if out[i] != "\n":
                out[i] = " "
    return "".join(out)


def _children(blank, start, end):
    """Direct child nodes of the block blank[start:end] (inside its braces):
    [(name, node_start, node_end_after_semicolon, body_start, body_end)]."""
    out = []
    pos = start
    pattern = re.compile(r"([\w,.@+-]+)\s*\{")
    while True:
        m = pattern.search(blank, pos, end)
        if not m:
            return out
        depth = 0
        i = m.end() - 1
        while i < end:
            if blank[i] == "{":
                depth += 1
            elif blank[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        close = blank.index(";", i) + 1
        # A property line before the node must not be taken as part of its name.
        node_start = blank.rfind("\n", 0, m.start()) + 1
        out.append((m.group(1), node_start, close, m.end(), i))
        pos = close


def _root(blank):
    m = re.search(r"^/\s*\{", blank, re.M)
    if not m:
        raise ValueError("no root node '/ {' in the system description")
    return m.end(), len(blank)


def _node(blank, path):
    start, end = _root(blank)
    for name in path:
        found = [c for c in _children(blank, start, end) if c[0] == name]
        if not found:
            return None
        _, _, _, start, end = found[0]
    return start, end


def _cells(text):
    blank = _blank(text)
    span = _node(blank, ["cells"])
    if not span:
        raise ValueError("the system description has no /cells node")
    return blank, _children(blank, *span)


def _cells_u32(body):
    return [int(v, 0) for v in re.findall(r"0x[0-9a-fA-F]+|\d+", body)]


def cells(text):
    """name -> {"realtime": bool, "cpus": [logical cpu], "host_phys": [addr of each region]}"""
    blank, children = _cells(text)
    out = {}
    for name, _, _, body_start, body_end in children:
        body = text[body_start:body_end]
        body_blank = blank[body_start:body_end]
        cpus = re.search(r"^\s*cpus\s*=\s*<([^>]*)>", body_blank, re.M)
        host = [_cells_u32(m.group(1)) for m in
                re.finditer(r"host-phys\s*=\s*<([^>]*)>", body_blank)]
        out[name] = {
            "realtime": bool(re.search(r"^\s*realtime\s*;", body_blank, re.M)),
            "cpus": _cells_u32(body[cpus.start(1) - 0:cpus.end(1)]) if cpus else [],
            "host_phys": [(v[0] << 32) | v[1] if len(v) == 2 else v[0] for v in host],
        }
    return out


def realtime_cpus(text):
    return sorted(cpu for c in cells(text).values() if c["realtime"] for cpu in c["cpus"])


def hypervisor_memory(text):
    """Base address of the hypervisor's own memory, or None."""
    blank = _blank(text)
    span = _node(blank, ["hypervisor"])
    if not span:
        return None
    m = re.search(r"memory\s*=\s*<([^>]*)>", blank[span[0]:span[1]])
    v = _cells_u32(m.group(1)) if m else []
    return (v[0] << 32) | v[1] if len(v) >= 2 else None


def foreign_addresses(text):
    """What a Linux cell's attack load aims /dev/mem at: the realtime cells' memory (each
    region's host-physical base) and the hypervisor's image (its memory + 2 MiB)."""
    foreign = [a for c in cells(text).values() if c["realtime"] for a in c["host_phys"]]
    hv = hypervisor_memory(text)
    return foreign + ([hv + 0x200000] if hv is not None else [])


def realtime_only(text):
    """The same system without its non-realtime cells: their nodes, their channel endpoints, and
    channels left with fewer than two endpoints go. Raises ValueError if no realtime cell."""
    info = cells(text)
    drop = {name for name, c in info.items() if not c["realtime"]}
    if len(drop) == len(info):
        raise ValueError("the system has no realtime cell")
    return _without_cells(text, drop)


def without_realtime(text):
    """The same system without its realtime cells (as realtime_only, the other way round): their
    CPUs stay idle in the hypervisor. Raises ValueError if every cell is realtime."""
    info = cells(text)
    drop = {name for name, c in info.items() if c["realtime"]}
    if len(drop) == len(info):
        raise ValueError("the system has only realtime cells")
    return _without_cells(text, drop)


def _without_cells(text, drop):
    blank, children = _cells(text)
    cuts = [(s, e) for name, s, e, _, _ in children if name in drop]
    span = _node(blank, ["channels"])
    if span:
        channels = _children(blank, *span)
        emptied = 0
        for name, s, e, bs, be in channels:
            endpoints = _children(blank, bs, be)
            kept = [ep for ep in endpoints if ep[0] not in drop]
            if len(kept) < 2:
                cuts.append((s, e))
                emptied += 1
            else:
                cuts += [(ep[1], ep[2]) for ep in endpoints if ep[0] in drop]
        if emptied == len(channels) and channels:
            chan_node = [c for c in _children(blank, *_root(blank)) if c[0] == "channels"][0]
            cuts = [c for c in cuts if not (chan_node[1] <= c[0] < chan_node[2])]
            cuts.append((chan_node[1], chan_node[2]))
    out = text
    for s, e in sorted(cuts, reverse=True):
        out = out[:s] + out[e:].lstrip("\n") if out[e:e + 1] == "\n" else out[:s] + out[e:]
    # A cell that stops the system is gone; nothing else refers to cells by name.
    return out


def bootargs(text, cell):
    """The bootargs string of cell `cell` ("" if it has none)."""
    blank, children = _cells(text)
    for name, _, _, body_start, body_end in children:
        if name == cell:
            m = re.search(r'^\s*bootargs\s*=\s*"', blank[body_start:body_end], re.M)
            if m:
                start = body_start + m.end()
                return text[start:text.index('"', start)]
    return ""


def with_bootargs(text, extra):
    """Appends `extra` to every bootargs property (the Linux cells')."""
    count = len(re.findall(r'bootargs\s*=\s*"', text))
    if not count:
        raise ValueError("the system has no cell with bootargs (no Linux cell)")
    return re.sub(r'(bootargs\s*=\s*"[^"]*)"', lambda m: f'{m.group(1)} {extra}"', text)


def with_entry(text, entry):
    """The system with every `entry` property (an x86 Linux cell's PVH entry) set to `entry`:
    the payload's kernel says where its own is."""
    return re.sub(r"entry = <0x0 0x[0-9a-fA-F]+>;", f"entry = <0x0 {entry:#x}>;", text)


def has_linux(text):
    return any(not c["realtime"] for c in cells(text).values()) and "bootargs" in text


def realtime_images(text):
    """cell name -> (image property, load address) of each realtime cell."""
    blank, children = _cells(text)
    out = {}
    for name, _, _, body_start, body_end in children:
        body, body_blank = text[body_start:body_end], blank[body_start:body_end]
        if not re.search(r"^\s*realtime\s*;", body_blank, re.M):
            continue
        image = re.search(r'^\s*image\s*=\s*"([^"]*)"', body, re.M)
        load = re.search(r"^\s*load-address\s*=\s*<([^>]*)>", body_blank, re.M)
        v = _cells_u32(load.group(1)) if load else []
        out[name] = (image.group(1) if image else None,
                     (v[0] << 32) | v[1] if len(v) == 2 else (v[0] if v else None))
    return out


def with_image(text, cell, image):
    """The system with cell `cell` booting `image` instead (same load address)."""
    blank, children = _cells(text)
    for name, _, _, body_start, body_end in children:
        if name != cell:
            continue
        m = re.search(r'^(\s*image\s*=\s*")[^"]*(")', text[body_start:body_end], re.M)
        if not m:
            raise ValueError(f"cell {cell} has no image property")
        start, end = body_start + m.start(), body_start + m.end()
        return text[:start] + m.group(1) + image + m.group(2) + text[end:]
    raise ValueError(f"the system has no cell {cell}")


def with_linux_device(text, name, properties):
    """Every Linux cell (a non-realtime cell with bootargs) also gets device `name` with the
    property lines `properties` (a `devices` node is added where the cell has none); a cell that
    already has a device of that name keeps its own."""
    blank, children = _cells(text)
    inserts = []
    for cell, _, _, body_start, body_end in children:
        body_blank = blank[body_start:body_end]
        if re.search(r"^\s*realtime\s*;", body_blank, re.M) or "bootargs" not in body_blank:
            continue
        node = "".join(f"\t\t\t\t\t{line}\n" for line in properties)
        node = f"\t\t\t\t{name} {{\n{node}\t\t\t\t}};\n"
        devices = [c for c in _children(blank, body_start, body_end) if c[0] == "devices"]
        if devices and any(c[0] == name for c in _children(blank, devices[0][3], devices[0][4])):
            continue
        if devices:
            inserts.append((devices[0][4], node + "\t\t\t"))
        else:
            inserts.append((body_end, f"\n\t\t\tdevices {{\n{node}\t\t\t}};\n\t\t"))
    if not inserts and not has_linux(text):
        raise ValueError("the system has no Linux cell to give a device to")
    out = text
    for pos, piece in sorted(inserts, reverse=True):
        head = out[:pos].rstrip(" \t")
        out = head + ("" if head.endswith("\n") else "\n") + piece + out[pos:].lstrip(" \t")
    return out
