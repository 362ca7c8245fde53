"""Element tree to blocks, and blocks to plain text and Markdown.

A block is one paragraph-level unit (heading, paragraph, list item, quote,
table row, preformatted text). Blocks keep how much of their text was linked,
so the furniture filter can tell a "READ MORE: <link>" promo from prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree as etree

from ._patterns import BLOCK_TAGS, HEADINGS

# ASCII whitespace only: a no-break space in the page is kept as the page wrote it.
_WS = re.compile(r"[ \t\n\r\f\v]+")


def _no_soft_hyphens(s: str) -> str:
    """Soft hyphens are invisible line-break hints: kept, they would split the
    words of every search and quotation."""
    return s.replace("\u00ad", "")


@dataclass
class Block:
    kind: str  # "p", "h1".."h6", "li", "oli", "quote", "pre", "row", "cells", "caption"
    text: str  # ("cells": a data table's row, its cells joined by tabs)
    linked: int = 0  # characters inside <a>
    first: bool = False  # the first row of a data table (its header in Markdown)

    @property
    def link_ratio(self) -> float:
        return self.linked / len(self.text) if self.text else 0.0


# The cleaner's decisions as they are made: (rule, element or block it concerns).
Trace = list[tuple[str, "etree._Element | Block"]]


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.linked = 0
        self.kind_stack: list[str] = ["p"]

    def add(self, s: str | None, in_link: bool) -> None:
        if s:
            self.buf.append(s)
            if in_link:
                self.linked += len(s.strip())

    def flush(self) -> None:
        if self.buf:
            kind = self.kind_stack[-1]
            raw = _no_soft_hyphens("".join(self.buf))
            if kind == "pre":
                text = raw.strip("\n")
            else:
                text = "\n".join(_WS.sub(" ", line).strip(" ") for line in raw.split("\n"))
                text = re.sub(r"\n{2,}", "\n", text).strip()
            if text.strip():
                self.blocks.append(Block(kind, text, self.linked))
        self.buf = []
        self.linked = 0


_CELL_MAX = 400  # a longer cell holds prose: a layout table, read block by block


def _data_rows(table: etree._Element) -> list[list[etree._Element]] | None:
    """The rows of a data table, or None for a layout table (nested tables,
    long cells, or a single column), whose cells are read as blocks."""
    if table.find(".//table") is not None:
        return None
    rows = []
    for tr in table.iter("tr"):
        cells = [c for c in tr if c.tag in ("td", "th")]
        if not cells:
            continue
        if any(len("".join(c.itertext())) > _CELL_MAX for c in cells):
            return None
        rows.append(cells)
    if not rows or max(map(len, rows)) < 2:
        return None
    return rows


def _cell_text(cell: etree._Element) -> tuple[str, int]:
    text = _WS.sub(" ", _no_soft_hyphens("".join(cell.itertext()))).strip()
    linked = sum(len("".join(a.itertext()).strip()) for a in cell.iter("a"))
    return text, linked


def _walk_table(rows: list[list[etree._Element]], b: _Builder) -> None:
    first = True
    for cells in rows:
        texts, linked = zip(*map(_cell_text, cells))
        if not any(texts):
            continue
        b.blocks.append(Block("cells", "\t".join(texts), sum(linked), first))
        first = False


def _walk(el: etree._Element, b: _Builder, in_link: bool, ordered: bool, tail: bool = True) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    after = el.tail if tail else None  # (a body part's tail is not the body's)
    if tag == "table":
        rows = _data_rows(el)
        if rows is not None:
            b.flush()
            _walk_table(rows, b)
            b.add(after, in_link)
            return
    if tag == "br":
        b.add("\n", False)
        b.add(after, in_link)
        return
    is_block = tag in BLOCK_TAGS
    if is_block:
        b.flush()
        kind = None
        if tag in HEADINGS:
            kind = tag
        elif tag == "li":
            kind = "oli" if ordered else "li"
        elif tag == "blockquote":
            kind = "quote"
        elif tag == "pre":
            kind = "pre"
        elif tag == "tr":
            kind = "row"
        elif tag in ("figcaption", "caption"):
            kind = "caption"
        elif tag == "p" and b.kind_stack[-1] in ("quote", "li", "oli"):
            kind = b.kind_stack[-1]
        if kind is None:
            kind = b.kind_stack[-1] if b.kind_stack[-1] in ("quote", "li", "oli", "row") else "p"
        b.kind_stack.append(kind)
    link = in_link or tag == "a"
    b.add(el.text, link)
    child_ordered = ordered if tag not in ("ol", "ul") else tag == "ol"
    for child in el:
        _walk(child, b, link, child_ordered)
        if tag == "tr" and child.tag in ("td", "th"):
            b.add(" ", False)
    if is_block:
        b.flush()
        b.kind_stack.pop()
    b.add(after, in_link)


def blocks_of(nodes: list[etree._Element]) -> list[Block]:
    b = _Builder()
    for node in nodes:
        _walk(node, b, False, False, tail=False)
        b.flush()
    return b.blocks


def to_text(blocks: list[Block]) -> str:
    """Blocks separated by a blank line; a data table's rows by a line break."""
    out: list[str] = []
    prev = None
    for bl in blocks:
        if out:
            out.append("\n" if bl.kind == prev == "cells" and not bl.first else "\n\n")
        out.append(bl.text)
        prev = bl.kind
    return "".join(out)


def to_markdown(blocks: list[Block]) -> str:
    out = []
    n = 0
    for bl in blocks:
        if bl.kind in HEADINGS:
            out.append("#" * int(bl.kind[1]) + " " + bl.text.replace("\n", " "))
        elif bl.kind == "li":
            out.append("- " + bl.text.replace("\n", "\n  "))
        elif bl.kind == "oli":
            n += 1
            out.append(f"{n}. " + bl.text.replace("\n", "\n   "))
            continue
        elif bl.kind == "quote":
            out.append("> " + bl.text.replace("\n", "\n> "))
        elif bl.kind == "pre":
            out.append("```\n" + bl.text + "\n```")
        elif bl.kind == "caption":
            out.append("*" + bl.text.replace("\n", " ") + "*")
        elif bl.kind == "cells":
            cells = [c.replace("|", "\\|") for c in bl.text.split("\t")]
            row = "| " + " | ".join(cells) + " |"
            if bl.first:
                row += "\n|" + " --- |" * len(cells)
            out.append(row)
        else:
            out.append(bl.text)
        n = 0
    # consecutive list items stay in one list
    md = ""
    prev = None
    for bl, piece in zip(blocks, out):
        if md:
            same = bl.kind == prev and (prev in ("li", "oli") or prev == "cells" and not bl.first)
            sep = "\n" if same else "\n\n"
            md += sep
        md += piece
        prev = bl.kind
    return md
