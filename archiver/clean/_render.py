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


@dataclass
class Block:
    kind: str  # "p", "h1".."h6", "li", "oli", "quote", "pre", "row", "caption"
    text: str
    linked: int = 0  # characters inside <a>

    @property
    def link_ratio(self) -> float:
        return self.linked / len(self.text) if self.text else 0.0


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
            raw = "".join(self.buf)
            if kind == "pre":
                text = raw.strip("\n")
            else:
                text = "\n".join(_WS.sub(" ", line).strip(" ") for line in raw.split("\n"))
                text = re.sub(r"\n{2,}", "\n", text).strip()
            if text.strip():
                self.blocks.append(Block(kind, text, self.linked))
        self.buf = []
        self.linked = 0


def _walk(el: etree._Element, b: _Builder, in_link: bool, ordered: bool) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "br":
        b.add("\n", False)
        b.add(el.tail, in_link)
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
    b.add(el.tail, in_link)


def blocks_of(nodes: list[etree._Element]) -> list[Block]:
    b = _Builder()
    for node in nodes:
        tail = node.tail
        node.tail = None
        try:
            _walk(node, b, False, False)
        finally:
            node.tail = tail
        b.flush()
    return b.blocks


def to_text(blocks: list[Block]) -> str:
    return "\n\n".join(bl.text for bl in blocks)


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
        else:
            out.append(bl.text)
        n = 0
    # consecutive list items stay in one list
    md = ""
    prev = None
    for bl, piece in zip(blocks, out):
        if md:
            sep = "\n" if (prev in ("li", "oli") and bl.kind == prev) else "\n\n"
            md += sep
        md += piece
        prev = bl.kind
    return md
