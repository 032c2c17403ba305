"""The camera in a real browser, on the fallback decoder.

Chromium on Linux has no BarcodeDetector (it is removed here anyway, to be sure): the
page loads jsQR (npm package "jsqr", served from our static files) and reads the ticket
from the camera. The camera is Chromium's fake capture device playing a Y4M video of
the ticket's QR code, written by the test.
"""

import re
from pathlib import Path

import pytest
import segno

from conftest import chromium_browser

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 640, 480


def write_y4m(path: Path, text: str) -> None:
    """A still video (a few identical frames, 4:2:0) of ``text`` as a QR code."""
    matrix = [list(row) for row in segno.make_qr(text, error="m").matrix]
    modules = len(matrix) + 8  # quiet zone of 4 modules around it
    size = min(WIDTH, HEIGHT) - 20
    scale = size // modules
    left, top = (WIDTH - modules * scale) // 2, (HEIGHT - modules * scale) // 2
    luma = bytearray(b"\xeb" * (WIDTH * HEIGHT))  # white
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if not dark:
                continue
            y0, x0 = top + (r + 4) * scale, left + (c + 4) * scale
            for y in range(y0, y0 + scale):
                luma[y * WIDTH + x0 : y * WIDTH + x0 + scale] = b"\x10" * scale
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 10)


@pytest.fixture(scope="module")
def camera_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("camera") / "ticket.y4m"
    write_y4m(path, "placeholder")  # Chromium wants the file when it starts
    return path


@pytest.fixture(scope="module")
def browser(camera_video):
    """This module's Chromium has a fake camera that plays ``camera_video``."""
    with chromium_browser(
        [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_video}",
        ]
    ) as chromium:
        yield chromium


def test_the_camera_reads_a_ticket_with_the_npm_decoder(door_phone, camera_video):
    page, context, people, event = door_phone
    registration, token = people[1]
    write_y4m(camera_video, token)
    context.grant_permissions(["camera"])
    context.add_init_script("delete window.BarcodeDetector;")
    page.reload()
    page.locator("#count-expected").filter(has_text="3").wait_for()
    page.wait_for_function("typeof window.jsQR === 'function'")
    decoder = page.evaluate(
        "[...document.scripts].map((s) => s.src).find((src) => src.includes('jsQR'))"
    )
    assert re.search(r"/static/vendor/jsqr/jsQR(\.[0-9a-f]+)?\.js$", decoder)
    page.click("#camera-button")
    page.locator("#verdict-name").filter(has_text=registration.last_name.upper()).wait_for(
        timeout=15_000
    )
    assert "Vérifier la pièce" in page.locator("#verdict-message").inner_text()
    assert page.locator("#camera").is_hidden()  # stopped once the code is read
