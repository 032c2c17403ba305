"""The class of bug, made impossible: no application code parses a number from a request
by itself (``int()`` raises on « ² », which ``isdigit()`` accepts) — ids and numbers go
through ``core.input.parse_id`` / ``parse_int``.

Read with the ``ast`` module, over the application code (not the tests, migrations,
management commands or benchmarks)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "accounts", "events", "checkin", "registry", "charter", "config"]
# management commands read the operator's arguments and the files shipped with the code
SKIPPED_PARTS = {"tests", "migrations", "management", "bench", "node_modules", ".venv"}
# the one place allowed to do it: the parser itself
ALLOWED = {Path("core/input.py")}
# what a request carries
REQUEST_ATTRIBUTES = {"GET", "POST", "COOKIES", "FILES", "META", "headers", "body"}
DIGIT_TESTS = {"isdigit", "isnumeric", "isdecimal"}


def application_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if SKIPPED_PARTS & set(relative.parts) or relative in ALLOWED:
                continue
            yield relative


def _mentions_request(node) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id == "request":
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in REQUEST_ATTRIBUTES:
            return True
    return False


def _is_lookup(node) -> bool:
    """``x["id"]`` or ``x.get("id")`` (a value read from a form, a query or a row), but
    not ``os.environ.get`` (the operator's settings)."""
    if isinstance(node, ast.Subscript):
        return True
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "getlist")
    ):
        receiver = node.func.value
        return not (isinstance(receiver, ast.Attribute) and receiver.attr == "environ")
    return False


def _request_loop_names(tree) -> dict[int, set[str]]:
    """{id(int call): names} for the ``int(v)`` of ``… for v in request.POST.getlist()``."""
    marked: dict[int, set[str]] = {}
    comprehensions = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.For)
    for node in ast.walk(tree):
        if not isinstance(node, comprehensions):
            continue
        loops = [node] if isinstance(node, ast.For) else node.generators
        names = {
            name.id
            for loop in loops
            if _mentions_request(loop.iter) or _is_lookup(loop.iter)
            for name in ast.walk(loop.target)
            if isinstance(name, ast.Name)
        }
        if names:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    marked.setdefault(id(inner), set()).update(names)
    return marked


def violations(source: str, filename: str) -> list[str]:
    found = []
    tree = ast.parse(source, filename)
    loop_names = _request_loop_names(tree)
    for node in sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        func = node.func
        where = f"{filename}:{node.lineno}"
        if isinstance(func, ast.Attribute) and func.attr in DIGIT_TESTS:
            found.append(f"{where}: .{func.attr}() (accepts « ² »: use parse_int/parse_id)")
        elif isinstance(func, ast.Name) and func.id == "int" and node.args:
            argument = node.args[0]
            from_loop = isinstance(argument, ast.Name) and argument.id in loop_names.get(
                id(node), ()
            )
            if _mentions_request(argument) or _is_lookup(argument) or from_loop:
                found.append(f"{where}: int() of a request, form or file value (use parse_id)")
    return found


def test_the_checker_sees_each_pattern():
    source = "\n".join(
        [
            "a = int(request.GET['page'])",
            "b = int(request.POST.get('n', 1))",
            "c = value.isdigit() and int(value)",
            "d = int(params.get('page', 1))",
            "e = int(data['id'])",
            "f = {int(v) for v in request.POST.getlist('x')}",
            "g = str(x).isnumeric()",
            "h = int(os.environ.get('PORT', '25'))",  # the operator's settings: allowed
            "i = int(timezone.now().timestamp())",  # not from a request: allowed
            "j = parse_id(request.GET.get('id'))",  # the way: allowed
        ]
    )
    lines = [v.split(":")[1] for v in violations(source, "x.py")]
    assert lines == ["1", "2", "3", "4", "5", "6", "7"]


def test_no_application_code_parses_numbers_from_requests_by_itself():
    files = list(application_files())
    assert Path("charter/views/public.py") in files and Path("core/input.py") not in files
    found = [
        problem
        for path in files
        for problem in violations((ROOT / path).read_text(encoding="utf-8"), str(path))
    ]
    assert not found, "\n".join(found)
