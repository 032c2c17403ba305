"""Build core/static/core/img/og-default.png: the 1200 × 630 image that link previews
(Open Graph ``og:image``) show for the site's pages. Its output ships with the project.

    .venv/bin/python scripts/build_og_image.py

Font: Roboto (Apache 2.0), from the font-roboto package already installed for the PDFs.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "static" / "core" / "img" / "og-default.png"
WIDTH, HEIGHT = 1200, 630
GREEN, INK, PAPER = "#0b6e4f", "#1b2a41", "#f4f1ea"


def font(name: str, size: int):
    import font_roboto

    return ImageFont.truetype(str(Path(font_roboto.__file__).parent / "files" / name), size)


def main() -> int:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 24), fill=GREEN)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill=INK)
    draw.rounded_rectangle((80, 120, 420, 300), radius=24, fill=GREEN)
    draw.text((250, 210), "PTCE", font=font("Roboto-Black.ttf", 110), fill="#fff", anchor="mm")
    title = font("Roboto-Bold.ttf", 54)
    draw.text((80, 360), "Pôles territoriaux", font=title, fill=INK)
    draw.text((80, 425), "de coopération économique", font=title, fill=INK)
    draw.text(
        (80, 515),
        "Annuaire des pôles · Événements · Charte · Données ouvertes",
        font=font("Roboto-Medium.ttf", 32),
        fill=GREEN,
    )
    image.save(OUT, optimize=True)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
