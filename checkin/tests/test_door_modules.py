"""The door's JavaScript as ES modules (checkin/static/checkin/door/): the page names each
one, production rewrites their imports to hashed names, the SHA-256 fallback agrees with
Python's hashlib, and the categories come from the server. The pure modules' own tests
run under node (checkin/tests/js/, `make test`)."""

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

from checkin.categories import CATEGORY_COLOURS, FALLBACK, door_categories
from checkin.views.public import DOOR_MODULES
from events.models import Registration

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "checkin" / "static"
DOOR = STATIC / "checkin" / "door"
NODE = shutil.which("node") or "/usr/bin/node"
IMPORT = re.compile(r"""^import [^;]*? from "([^"]+)";""", re.M | re.S)


def node(script: str, stdin: str = "") -> str:
    """Run an ES module script under node; its standard output."""
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_module_is_named_and_imports_only_its_neighbours():
    names = sorted(path.name for path in DOOR.glob("*.js"))
    assert "main.js" in names and len(names) > 10
    assert [f"checkin/door/{name}" for name in names] == DOOR_MODULES
    assert not (STATIC / "checkin" / "door.js").exists()
    graph = {}
    for name in names:
        targets = IMPORT.findall((DOOR / name).read_text(encoding="utf-8"))
        for target in targets:
            assert re.fullmatch(r"\./[a-z0-9]+\.js", target), (name, target)
            assert (DOOR / target).exists(), (name, target)
        graph[name] = [target[2:] for target in targets]

    # no cycle (a cycle would keep collectstatic from hashing the files), all from main.js
    reached, done = set(), set()

    def visit(name, path):
        assert name not in path, f"import cycle: {' → '.join([*path, name])}"
        if name in done:
            return
        for target in graph[name]:
            visit(target, [*path, name])
        done.add(name)
        reached.add(name)

    visit("main.js", [])
    assert reached == set(names)


@pytest.mark.django_db
def test_the_page_loads_the_modules_and_the_categories(client, agent, event):
    client.force_login(agent)
    with translation.override("fr"):
        page = client.get(reverse("checkin:scanner", args=[event.slug])).content.decode()
    assert '<script type="module" src="/static/checkin/door/main.js"></script>' in page
    for module in DOOR_MODULES:
        assert f'<link rel="modulepreload" href="/static/{module}">' in page
    data = page.split('<script id="door-categories" type="application/json">', 1)[1]
    categories = json.loads(data.split("</script>", 1)[0])
    assert categories["labels"]["ptce_member"] == "membre d’un PTCE"
    assert categories["colours"]["press"] == "#b0306a"
    assert categories["fallback"] == "other"
    # the jsi18n catalogue (a classic deferred script) runs before the modules
    assert page.index("/accueil/jsi18n/") < page.index('type="module"')


def test_every_category_has_a_label_and_a_colour():
    data = door_categories()
    values = [str(value) for value in Registration.Category.values]
    assert list(data["labels"]) == values
    assert sorted(data["colours"]) == sorted(values) == sorted(CATEGORY_COLOURS)
    assert data["fallback"] == str(FALLBACK) in values
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in data["colours"].values())


def test_production_rewrites_the_modules_imports_to_hashed_names(tmp_path):
    """The storage production uses (DEBUG off) hashes each module and writes the hashed
    names into the imports: a page never mixes modules of two deployments."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PTCE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PTCE_ENV_FILE": "/nonexistent/ptce.env",
        "DEBUG": "0",
        "SECRET_KEY": "production-like-" + "k9Zq2vLw" * 6,
        "SITE_URL": "https://ptce.example.org",
        "STATIC_ROOT": str(tmp_path / "unused"),
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    storage = import_string(result.stdout.strip())(location=tmp_path, base_url="/static/")
    source = FileSystemStorage(location=STATIC)
    for module in DOOR_MODULES:
        with source.open(module) as file:
            storage.save(module, file)
    processed = list(storage.post_process({m: (source, m) for m in DOOR_MODULES}))
    assert not [error for _, _, error in processed if isinstance(error, Exception)]
    for module in DOOR_MODULES:
        hashed = storage.stored_name(module)
        assert re.fullmatch(r"checkin/door/[a-z0-9]+\.[0-9a-f]{12}\.js", hashed), hashed
        text = (tmp_path / hashed).read_text(encoding="utf-8")
        originals = IMPORT.findall((STATIC / module).read_text(encoding="utf-8"))
        targets = IMPORT.findall(text)
        assert len(targets) == len(originals)
        for original, target in zip(originals, targets, strict=True):
            assert target == "./" + Path(storage.stored_name(f"checkin/door/{original[2:]}")).name
            assert (tmp_path / "checkin" / "door" / target).exists()


def random_text(rng: random.Random) -> str:
    alphabets = [
        "abcdefghijklmnopqrstuvwxyz0123456789.-_:",
        "éèêëàâçîïôöûüÿœæßÉÈÀÇŒ’«» ",
        "αβγδ日本語中文한국어עבריתالعربية",
        "😀👩🏽‍💻🎟️\u0301\u200d\U0001f3f3",
        "\x00\x7f\u0080\u07ff\u0800\uffff",
    ]
    length = rng.choice([0, 1, 55, 56, 63, 64, 65, rng.randrange(0, 300)])
    return "".join(rng.choice(rng.choice(alphabets)) for _ in range(length))


def test_the_sha256_fallback_agrees_with_hashlib():
    """The hash the phone computes without crypto.subtle (plain HTTP on a LAN) is the one
    the server lists (hashlib.sha256 of the UTF-8 text): otherwise a ticket would be
    "unknown" offline."""
    rng = random.Random(2014)
    texts = [random_text(rng) for _ in range(400)] + ["abc", "", "a" * 1000]
    script = f"""
        import {{ sha256HexFallback }} from {json.dumps((DOOR / "sha256.js").as_uri())};
        let input = "";
        for await (const chunk of process.stdin) input += chunk;
        process.stdout.write(JSON.stringify(JSON.parse(input).map(sha256HexFallback)));
    """
    digests = json.loads(node(script, stdin=json.dumps(texts)))
    expected = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
    assert digests == expected
