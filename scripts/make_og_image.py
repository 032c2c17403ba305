"""Draw the sharing image of the events pages (Open Graph, 1200 × 630 PNG).

Run once when the brand changes; the PNG is committed:
    .venv/bin/python scripts/make_og_image.py
"""

from pathlib import Path

import font_roboto
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
ACCENT = "#0b6e4f"
INK = "#1b2a41"
OUT = Path(__file__).resolve().parent.parent / "events" / "static" / "events" / "og-ptce.png"


def main() -> None:
    bold = font_roboto.font_files["RobotoBold"]
    regular = font_roboto.font_files["Roboto"]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH, 150], fill=ACCENT)
    draw.rectangle([0, HEIGHT - 24, WIDTH, HEIGHT], fill=INK)
    draw.text((80, 38), "PTCE", font=ImageFont.truetype(bold, 80), fill="white")
    draw.text(
        (80, 220),
        "Pôles territoriaux de",
        font=ImageFont.truetype(bold, 64),
        fill=INK,
    )
    draw.text((80, 300), "coopération économique", font=ImageFont.truetype(bold, 64), fill=INK)
    draw.text(
        (80, 430),
        "Journées nationales · Annuaire des pôles · Charte",
        font=ImageFont.truetype(regular, 38),
        fill=ACCENT,
    )
    image.save(OUT, "PNG", optimize=True)
    print(f"{OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
