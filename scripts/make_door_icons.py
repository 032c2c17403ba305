"""Draw the door app's PNG icons from the brand (core/static/core/img/favicon.svg: a green
square, « PTCE » in white bold). Run once; the PNGs are committed in
checkin/static/checkin/icons/ (the site has no SVG renderer at run time).

    .venv/bin/python scripts/make_door_icons.py
"""

from pathlib import Path

import font_roboto
from PIL import Image, ImageDraw, ImageFont

GREEN = "#0b6e4f"
OUT = Path(__file__).resolve().parent.parent / "checkin" / "static" / "checkin" / "icons"


def icon(size: int, *, maskable: bool) -> Image.Image:
    """``maskable``: full bleed, the word inside the safe circle (80 % of the side), for
    launchers that cut their own shape; else rounded corners like the favicon."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, size, size), fill=GREEN)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 6 // 32, fill=GREEN)
    width = size * (0.62 if maskable else 0.8)  # the favicon's proportions, or the safe zone
    font_size = size
    font = ImageFont.truetype(font_roboto.font_files["RobotoBold"], font_size)
    while draw.textlength("PTCE", font=font) > width:
        font_size -= 1
        font = ImageFont.truetype(font_roboto.font_files["RobotoBold"], font_size)
    draw.text((size / 2, size / 2), "PTCE", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, maskable=False).save(OUT / "door-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "door-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "door-maskable-512.png", optimize=True)
    # iOS rounds the corners itself and shows no transparency
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
