"""A small server-rendered SVG bar chart (no JavaScript, no external library); the
template `core/_bar_chart.html` draws it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def bar_chart(points: list[tuple[str, int]], *, width: int = 640, height: int = 180) -> dict:
    """Geometry for an SVG bar chart of (label, value) points; the template draws it."""
    if not points:
        return {"bars": [], "width": width, "height": height, "max": 0}
    top = max(value for _, value in points) or 1
    gap = 2
    slot = min(width / len(points), 48)  # a few days: narrow bars, not one green block
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = (height - 20) * value / top
        bars.append(
            Bar(
                x=round(index * slot + gap / 2, 2),
                y=round(height - 20 - bar_height, 2),
                width=round(max(slot - gap, 1), 2),
                height=round(bar_height, 2),
                label=label,
                value=value,
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "max": top,
        "first": bars[0].label,
        "last": bars[-1].label,
        "label_y": height - 4,
    }
