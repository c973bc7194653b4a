"""Write small Outlook .msg files for tests: a minimal compound file (CFB version 3) writer
and the MS-OXMSG layout of a message's properties and attachments.

Only what the tests need: streams and storages, streams under 4096 bytes in the mini stream,
no DIFAT sectors (files up to about 7 MB)."""

from __future__ import annotations

import datetime as dt
import struct

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Tree = dict  # name -> bytes (a stream) or Tree (a storage)


def compound_file(tree: Tree) -> bytes:
    """The bytes of a compound file holding ``tree``."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": []}]

    def add(node: Tree, parent: int) -> None:
        for name, value in node.items():
            index = len(entries)
            entry = {"name": name, "type": 1 if isinstance(value, dict) else 2, "children": []}
            entries.append(entry)
            entries[parent]["children"].append(index)
            if isinstance(value, dict):
                add(value, index)
            else:
                entry["data"] = value

    add(tree, 0)
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes, marker: int | None = None) -> int:
        count = max(1, -(-len(data) // SECTOR))
        start = len(sectors)
        for i in range(count):
            sectors.append(data[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(marker if marker is not None else (start + i + 1 if i < count - 1 else END))
        return start

    mini_stream = b""
    mini_fat: list[int] = []
    for entry in entries[1:]:
        data = entry.get("data")
        if data is None:
            continue
        if len(data) >= CUTOFF:
            entry["start"] = chain(data)
        elif data:
            count = -(-len(data) // MINI)
            start = len(mini_fat)
            mini_fat.extend(start + i + 1 if i < count - 1 else END for i in range(count))
            mini_stream += data.ljust(count * MINI, b"\0")
            entry["start"] = start
        else:
            entry["start"] = END
    entries[0]["start"] = chain(mini_stream) if mini_stream else END
    entries[0]["data"] = mini_stream
    mini_fat_start = chain(b"".join(struct.pack("<I", v) for v in mini_fat)) if mini_fat else END
    mini_fat_count = -(-len(mini_fat) * 4 // SECTOR)
    directory = b"".join(_entry(e, entries) for e in entries)
    directory += _unused() * (-len(entries) % 4)
    directory_start = chain(directory)
    fat_count = 1
    while (len(sectors) + fat_count) * 4 > fat_count * SECTOR:
        fat_count += 1
    fat_start = len(sectors)
    fat.extend([FATSECT] * fat_count)
    fat.extend([FREE] * (fat_count * SECTOR // 4 - len(fat)))
    table = b"".join(struct.pack("<I", v) for v in fat)
    sectors.extend(table[i * SECTOR : (i + 1) * SECTOR] for i in range(fat_count))
    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        MAGIC, b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, fat_count, directory_start, 0, CUTOFF, mini_fat_start, mini_fat_count, END, 0,
    )  # fmt: skip
    header += b"".join(struct.pack("<I", v) for v in difat)
    return header + b"".join(sectors)


def _entry(entry: dict, entries: list[dict]) -> bytes:
    name = entry["name"].encode("utf-16-le") + b"\0\0"
    children = sorted(
        entry["children"], key=lambda i: (len(entries[i]["name"]), entries[i]["name"].upper())
    )
    for a, b in zip(children, children[1:]):  # a right-leaning chain: a valid (if tall) tree
        entries[a]["right"] = b
    data = entry.get("data") or b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry["type"], 1,
        NOSTREAM, entry.get("right", NOSTREAM), children[0] if children else NOSTREAM,
        b"\0" * 16, 0, 0, 0, entry.get("start", END) if entry["type"] != 1 else 0,
        len(data),
    )  # fmt: skip


def _unused() -> bytes:
    return struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0
    )


# --------------------------------------------------------------------------- MS-OXMSG


def _text(prop: int, value: str) -> tuple[str, bytes]:
    return f"__substg1.0_{prop:04X}001F", value.encode("utf-16-le")


def _properties(header: int, fixed: dict[int, tuple[int, bytes]]) -> bytes:
    out = b"\0" * header
    for prop, (ptype, value) in fixed.items():
        out += struct.pack("<II8s", (prop << 16) | ptype, 6, value)
    return out


def _filetime(when: dt.datetime) -> bytes:
    delta = when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
    return struct.pack("<Q", (delta // dt.timedelta(microseconds=1)) * 10)


def message_tree(
    subject: str,
    sender_name: str,
    sender_address: str,
    sent: dt.datetime,
    attachments: list[tuple[str, bytes] | Tree],
    *,
    embedded: bool = False,
) -> Tree:
    """A message's storage: attachments are (file name, bytes) or another message_tree()
    (attached as an embedded message)."""
    tree: Tree = dict(
        [
            _text(0x0037, subject),
            _text(0x0C1A, sender_name),
            _text(0x5D01, sender_address),
            _text(0x1000, "See the attachment."),
        ]
    )
    tree["__properties_version1.0"] = _properties(24 if embedded else 32, {
        0x0039: (0x0040, _filetime(sent)),
    })  # fmt: skip
    for n, attachment in enumerate(attachments):
        storage: Tree = {}
        if isinstance(attachment, dict):
            storage["__properties_version1.0"] = _properties(8, {
                0x3705: (0x0003, struct.pack("<Q", 5)),
            })  # fmt: skip
            storage["__substg1.0_3701000D"] = attachment
            storage.update([_text(0x3001, attachment_subject(attachment))])
        else:
            filename, data = attachment
            storage["__properties_version1.0"] = _properties(8, {
                0x3705: (0x0003, struct.pack("<Q", 1)),
            })  # fmt: skip
            storage.update([_text(0x3707, filename), _text(0x3704, filename[:8])])
            storage["__substg1.0_37010102"] = data
        tree[f"__attach_version1.0_#{n:08X}"] = storage
    return tree


def attachment_subject(tree: Tree) -> str:
    return tree["__substg1.0_0037001F"].decode("utf-16-le")


def outlook_msg(*args, **kwargs) -> bytes:
    """The bytes of a .msg file: the arguments of message_tree()."""
    return compound_file(message_tree(*args, **kwargs))
