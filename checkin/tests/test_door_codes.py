"""Every error code the door's JavaScript acts on is one the server declares.

The codes the door compares against are gathered in HANDLED_CODES
(checkin/static/checkin/door/codes.js), read here by node; each must be in
core.errors.REGISTRY once checkin's codes are declared (checkin/errors.py)."""

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

from core.errors import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
DOOR = ROOT / "checkin" / "static" / "checkin" / "door"
NODE = shutil.which("node") or "/usr/bin/node"


def handled_codes() -> list[str]:
    script = (
        f"import {{ HANDLED_CODES }} from {json.dumps((DOOR / 'codes.js').as_uri())};"
        "process.stdout.write(JSON.stringify(HANDLED_CODES));"
    )
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_code_the_door_handles_is_declared():
    importlib.import_module("checkin.errors")  # declares checkin's codes in the registry
    codes = handled_codes()
    assert codes and len(codes) == len(set(codes))
    missing = [code for code in codes if code not in REGISTRY]
    assert not missing, f"codes the door handles but the server does not declare: {missing}"


def test_the_door_compares_only_codes_of_its_list():
    """A code written in a module must be in HANDLED_CODES (so that the test above sees
    it): the door names the server's codes in codes.js only."""
    codes = set(handled_codes())
    for path in DOOR.glob("*.js"):
        written = set(re.findall(r"""["'](checkin\.[a-z_]+)["']""", path.read_text("utf-8")))
        if path.name == "codes.js":
            assert written == codes
        else:
            assert not written, (path.name, written)
