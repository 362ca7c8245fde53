"""Bar charts as plain SVG text, drawn on the server.

No JavaScript and no CDN: the outlet page embeds the SVG inline, so it renders
in any browser (and in a screenshot) and every number is also in a ``<title>``
tooltip and the chart's text alternative.
"""

from __future__ import annotations

from html import escape

#: Colours for series, in order (colour-blind safe palette, Okabe-Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def _nice_max(value: int) -> int:
    """The smallest 1/2/5 x 10^n at or above ``value`` (axis top)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for mult in (1, 2, 5):
            if step * mult >= value:
                return step * mult
        step *= 10


def stacked_bars_svg(
    labels: list[str],
    series: dict[str, list[int]],
    *,
    title: str,
    colors: dict[str, str] | None = None,
    width: int = 760,
    height: int = 240,
) -> str:
    """An SVG stacked bar chart: one bar per label (e.g. a day), one colour per series.

    ``series`` maps a series name to one count per label. Only the first and
    last labels (and a few between) are written on the x axis, so hundreds of
    days stay readable. Returns markup safe to embed (all text is escaped).
    """
    names = list(series)
    colors = {name: (colors or {}).get(name) or PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    totals = [sum(series[name][i] for name in names) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    left, right, upper, lower = 48, 12, 28, 40
    plot_w, plot_h = width - left - right, height - upper - lower
    n = max(len(labels), 1)
    slot = plot_w / n
    bar = min(max(slot * 0.8, 1.0), 28.0)  # thin bars stay visible, few bars stay bars
    summary = f"{title}: {len(labels)} bars, total {sum(totals)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="archive-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(summary)}">',
        f"<title>{escape(summary)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for frac in (0, 0.5, 1):
        y = upper + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{top * frac:g}</text>'
        )
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar) / 2
        y = upper + plot_h
        for name in names:
            count = series[name][i]
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colors[name]}"><title>{escape(label)} {escape(name)}: {count}</title></rect>'
            )
    parts += _x_labels(labels, left=left, slot=slot, y=height - lower + 16)
    parts += _legend(names, colors, left=left, height=height)
    if not labels:
        parts.append(f'<text x="{left + 8}" y="{upper + plot_h / 2:.1f}" font-size="12">No data</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _x_labels(labels: list[str], *, left: float, slot: float, y: float) -> list[str]:
    """The first and last labels and a few between, none crowding the last one."""
    ticks = sorted({0, len(labels) - 1, *range(0, len(labels), max(1, len(labels) // 5))}) if labels else []
    out = []
    for i in ticks:
        if 0 < i < len(labels) - 1 and (len(labels) - 1 - i) < max(1, len(labels) // 10):
            continue  # too close to the last label
        x = left + (i + 0.5) * slot
        out.append(
            f'<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="middle">{escape(labels[i])}</text>'
        )
    return out


def _legend(names: list[str], colors: dict[str, str], *, left: float, height: int) -> list[str]:
    """A colour key under the chart, when there is more than one series."""
    out = []
    lx = left
    for name in names if len(names) > 1 else []:
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colors[name]}"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>')
        lx += 20 + 7 * len(name)
    return out
