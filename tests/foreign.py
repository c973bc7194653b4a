"""Files of other software, built byte by byte for the corpus (tests/corpus_foreign.py): Office
compound files, early Excel, Lotus 1-2-3 and dBASE files, and OpenDocument encryption. Each
follows its format's published layout, so that the reader meets what those programs write."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

# ------------------------------------------------------------- Office compound (OLE) files

_SECTOR = 512
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A Compound File Binary (version 3) holding ``streams`` in its root storage. Streams are
    padded to 4,096 bytes, so that all live in ordinary sectors (no mini stream)."""
    streams = {name: data.ljust(4096, b"\0") for name, data in streams.items()}
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the directory's order
    chains, sector = [], 2  # sector 0: the FAT, sector 1: the directory
    for name in names:
        count = -(-len(streams[name]) // _SECTOR)
        chains.append((sector, count))
        sector += count
    assert sector <= _SECTOR // 4 and len(names) <= 3  # one FAT sector, one directory sector
    fat = [_FAT, _END]
    for start, count in chains:
        fat += [start + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (_SECTOR // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sI8s8sIQ",
            encoded, len(encoded), kind, 1, _FREE, right, child, bytes(16), 0, bytes(8),
            bytes(8), start, size,
        )  # fmt: skip

    directory = entry("Root Entry", 5, 1 if names else _FREE, _FREE, _END, 0)
    for n, (name, (start, _count)) in enumerate(zip(names, chains), start=1):
        right = n + 1 if n < len(names) else _FREE  # siblings as a chain of right children
        directory += entry(name, 2, _FREE, right, start, len(streams[name]))
    directory = directory.ljust(_SECTOR, b"\0")  # unused entries
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1,
        1, 0, 4096, _END, 0, _END, 0,
    )  # fmt: skip
    header += struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    return header + body + b"".join(streams[name] for name in names)


# ------------------------------------------------------------- early spreadsheet formats


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff_early(bof: int, text: str = "St Marys") -> bytes:
    """An Excel 2.x (BOF 0x0009), 3.0 (0x0209) or 4.0 (0x0409) worksheet: BOF, DIMENSIONS,
    one LABEL cell, EOF."""
    if bof == 0x0009:
        head = _record(0x0009, struct.pack("<HH", 0x0002, 0x0010))
        dims = _record(0x0000, struct.pack("<HHHH", 0, 1, 0, 1))
        label = _record(0x0004, struct.pack("<HH3sB", 0, 0, bytes(3), len(text)) + text.encode())
    else:
        head = _record(bof, struct.pack("<HHH", 0x0000, 0x0010, 0x0000))
        dims = _record(0x0200, struct.pack("<HHHHH", 0, 1, 0, 1, 0))
        label = _record(0x0204, struct.pack("<HHHH", 0, 0, 0x0F, len(text)) + text.encode())
    return head + dims + label + _record(0x000A, b"")


def lotus_wk1(text: str = "St Marys") -> bytes:
    """A Lotus 1-2-3 release 2 worksheet (.wk1): BOF (version 0x0406), RANGE, one LABEL, EOF."""
    cell = struct.pack("<BHH", 0xFF, 0, 0) + b"'" + text.encode("cp437") + b"\0"
    return (
        _record(0x0000, struct.pack("<H", 0x0406))
        + _record(0x0006, struct.pack("<HHHH", 0, 0, 0, 0))
        + _record(0x000F, cell)
        + _record(0x0001, b"")
    )


def dbase(rows: list[tuple[str, str]]) -> bytes:
    """A dBASE III table (.dbf) of two character fields, SETTING and RATING."""
    fields = [(b"SETTING", 30), (b"RATING", 12)]
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(size for _name, size in fields)
    head = struct.pack("<BBBBIHH20s", 0x03, 126, 11, 2, len(rows), header_len, record_len, b"")
    for name, size in fields:
        head += struct.pack("<11sc4sBB14s", name, b"C", bytes(4), size, 0, bytes(14))
    head += b"\r"
    body = b"".join(
        b" " + a.encode("cp1252").ljust(30) + b.encode("cp1252").ljust(12) for a, b in rows
    )
    return head + body + b"\x1a"


# ------------------------------------------------------------- OpenDocument encryption

_MANIFEST_ENTRY = re.compile(rb'<manifest:file-entry manifest:full-path="([^"]+)"([^>]*?)/>')


def encrypt_ods(src: Path, dst: Path, password: str) -> Path:
    """``src`` (an .ods) saved with a password as LibreOffice does it (ODF 1.2: each part
    deflated, then AES-256-CBC with a PBKDF2 key; the manifest declares it). Without the
    ``cryptography`` package (installed with the test extra), random bytes stand in for the
    encrypted ones: the container has the same shape."""
    try:
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:  # pragma: no cover - the test extra installs it
        Cipher = None  # noqa: N806
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    start_key = hashlib.sha256(password.encode()).digest()
    sealed, declared = {}, {}
    with zipfile.ZipFile(src) as zin:
        infos = zin.infolist()
        for info in infos:
            if not info.filename.endswith(".xml") or info.filename == "META-INF/manifest.xml":
                continue
            plain = zin.read(info.filename)
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = packer.compress(plain) + packer.flush()
            salt, iv = os.urandom(16), os.urandom(16)
            if Cipher is None:
                secret = os.urandom(-(-len(packed) // 16) * 16 + 16)
            else:
                key = hashlib.pbkdf2_hmac("sha1", start_key, salt, 100_000, 32)
                padder = padding.PKCS7(128).padder()
                padded = padder.update(packed) + padder.finalize()
                encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
                secret = encryptor.update(padded) + encryptor.finalize()
            sealed[info.filename] = secret
            declared[info.filename] = (
                f' manifest:size="{len(plain)}"><manifest:encryption-data '
                'manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#'
                f'sha256-1k" manifest:checksum="{b64(hashlib.sha256(packed[:1024]).digest())}">'
                '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#'
                f'aes256-cbc" manifest:initialisation-vector="{b64(iv)}"/>'
                '<manifest:start-key-generation manifest:start-key-generation-name="http://www.'
                'w3.org/2000/09/xmldsig#sha256" manifest:key-size="32"/>'
                '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" '
                'manifest:key-size="32" manifest:iteration-count="100000" '
                f'manifest:salt="{b64(salt)}"/></manifest:encryption-data></manifest:file-entry>'
            ).encode()

        def entry(match: re.Match[bytes]) -> bytes:
            name = match.group(1).decode()
            if name.startswith("Thumbnails/"):
                return b""
            if name not in declared:
                return match.group(0)
            attrs = re.sub(rb'\s*manifest:size="\d+"', b"", match.group(2))
            start = b'<manifest:file-entry manifest:full-path="' + match.group(1) + b'"'
            return start + attrs + declared[name]

        manifest = _MANIFEST_ENTRY.sub(entry, zin.read("META-INF/manifest.xml"))
        with zipfile.ZipFile(dst, "w") as zout:
            for info in infos:
                if info.filename.startswith("Thumbnails/"):
                    continue  # LibreOffice leaves the thumbnail out of an encrypted file
                if info.filename == "META-INF/manifest.xml":
                    zout.writestr(info.filename, manifest, zipfile.ZIP_DEFLATED)
                elif info.filename in sealed:
                    zout.writestr(info.filename, sealed[info.filename], zipfile.ZIP_STORED)
                else:
                    zout.writestr(info, zin.read(info.filename))
    return dst
