"""The highlight an annotated copy puts on a cell with a problem, in ``styles.xml``: a hatched
fill and a heavy border, in colours no rating scale uses (a rating's own colour comes from a
conditional format, which would hide a plain fill; tests/test_annotate.py checks the colours
against every built-in scale). An earlier annotation's highlight is found by its colours.
"""

from __future__ import annotations

from awardbooks.read.xmledit import El, append, scan, set_attr, splice

HIGHLIGHTS = {  # kind → (colour, fill pattern or "" to keep the cell's fill, border style)
    "error": ("FF7030A0", "lightTrellis", "thick"),  # purple cross-hatching, heavy border
    "warning": ("FFC55A11", "", "mediumDashed"),  # a dashed burnt-orange border
}
"""LibreOffice has no hatched cell fills: it saves the error's as solid lavender (#CAB2DC,
measured), still no rating's colour; any pale fill for warnings came out near a scale's pink
or blue, so a warning keeps the cell's fill and is shown by its border alone."""
OUR_COLOURS = tuple(colour[2:].encode() for colour, _p, _b in HIGHLIGHTS.values())


class Styles:
    """styles.xml with highlighted copies of cell styles appended, and what an earlier
    annotation highlighted (``ours``) with a plain style for each."""

    def __init__(self, data: bytes):
        self.original = data
        wanted = {"styleSheet", "fills", "fill", "borders", "border", "cellXfs", "xf"}
        elements = scan(data, wanted)
        self.fills = next((el for el in elements if el.name == "fills"), None)
        self.borders = next((el for el in elements if el.name == "borders"), None)
        self.xfs_el = next((el for el in elements if el.name == "cellXfs"), None)

        def children(parent: El | None, name: str) -> list[El]:
            if parent is None:
                return []
            return [el for el in elements if el.name == name and el.depth == parent.depth + 1
                    and parent.start < el.start < parent.end]  # fmt: skip

        fills, borders = children(self.fills, "fill"), children(self.borders, "border")
        self.fill_count, self.border_count = len(fills), len(borders)
        self.xfs = children(self.xfs_el, "xf")
        our_fills = {str(n) for n, el in enumerate(fills) if ours(data[el.start : el.end])}
        our_borders = {str(n) for n, el in enumerate(borders) if ours(data[el.start : el.end])}
        self.ours = {
            n
            for n, el in enumerate(self.xfs)
            if el.attrs.get("fillId") in our_fills or el.attrs.get("borderId") in our_borders
        }
        self._our_ids = (our_fills, our_borders)
        self.added: dict[tuple[int, str], int] = {}
        self.kinds: list[str] = []

    def usable(self) -> bool:
        return self.fills is not None and self.borders is not None and bool(self.xfs)

    def highlighted(self, xf: int, kind: str) -> int:
        """The index of a copy of cell style ``xf`` with the ``kind`` highlight."""
        if not self.usable() or self.xfs_el is None:
            return xf
        if (xf, kind) not in self.added:
            if kind not in self.kinds:
                self.kinds.append(kind)
            self.added[(xf, kind)] = len(self.xfs) + len(self.added)
        return self.added[(xf, kind)]

    def plain(self, xf: int) -> int:
        """For a style an earlier annotation highlighted: the style it was copied from (the
        same in all but its fill and border, neither of them ours), else a copy with no fill
        and no border."""
        el = self.xfs[xf]
        our_fills, our_borders = self._our_ids
        inner = self.original[el.tag_end : el.end]
        skip = {"fillId", "borderId", "applyFill", "applyBorder"}
        same = {k: v for k, v in el.attrs.items() if k not in skip}
        for n, other in enumerate(self.xfs):
            if (
                n not in self.ours
                and other.attrs.get("fillId", "0") not in our_fills
                and other.attrs.get("borderId", "0") not in our_borders
                and {k: v for k, v in other.attrs.items() if k not in skip} == same
                and self.original[other.tag_end : other.end] == inner
            ):
                return n
        return self.highlighted(xf, "plain")

    def data(self) -> bytes:
        data = self.original
        p = self.fills.prefix
        kinds = [k for k in self.kinds if k in HIGHLIGHTS]
        filled = [k for k in kinds if HIGHLIGHTS[k][1]]
        fill_ids = {kind: str(self.fill_count + i) for i, kind in enumerate(filled)}
        border_ids = {kind: str(self.border_count + i) for i, kind in enumerate(kinds)}
        fill_ids["plain"] = border_ids["plain"] = "0"
        new_fills = new_borders = b""
        for kind in kinds:
            colour, pattern, line = (v.encode() for v in HIGHLIGHTS[kind])
            new_fills += b"" if not pattern else (
                b"<" + p + b"fill><" + p + b'patternFill patternType="' + pattern + b'"><' + p
                + b'fgColor rgb="' + colour + b'"/><' + p + b'bgColor rgb="FFFFFFFF"/></' + p
                + b"patternFill></" + p + b"fill>"
            )  # fmt: skip
            sides = b"".join(
                b"<" + p + side + b' style="' + line + b'"><' + p + b'color rgb="' + colour
                + b'"/></' + p + side + b">"
                for side in (b"left", b"right", b"top", b"bottom")
            )  # fmt: skip
            new_borders += (
                b"<" + p + b"border>" + sides + b"<" + p + b"diagonal/></" + p + b"border>"
            )
        new_xfs = b""
        for (xf, kind), _index in sorted(self.added.items(), key=lambda kv: kv[1]):
            el = self.xfs[xf] if xf < len(self.xfs) else self.xfs[0]
            tag = data[el.start : el.tag_end]
            if kind in fill_ids:
                tag = set_attr(tag, b"fillId", fill_ids[kind].encode())
            tag = set_attr(tag, b"borderId", border_ids[kind].encode())
            tag = set_attr(tag, b"applyFill", b"1")
            tag = set_attr(tag, b"applyBorder", b"1")
            new_xfs += tag + data[el.tag_end : el.end]
        edits = []
        for el, extra, count in (
            (self.fills, new_fills, self.fill_count + len(filled)),
            (self.borders, new_borders, self.border_count + len(kinds)),
            (self.xfs_el, new_xfs, len(self.xfs) + len(self.added)),
        ):
            start, stop, content = append(data, el, extra)
            if start == el.start:  # an empty element, rewritten whole
                content = set_attr(content, b"count", str(count).encode())
                edits.append((start, stop, content))
                continue
            tag = set_attr(data[el.start : el.tag_end], b"count", str(count).encode())
            edits += [(el.start, el.tag_end, tag), (start, stop, content)]
        return splice(data, edits)


def ours(xml: bytes) -> bool:
    """Whether a fill or border is a highlight of ours (by its colour)."""
    upper = xml.upper()
    return any(colour in upper for colour in OUR_COLOURS)
