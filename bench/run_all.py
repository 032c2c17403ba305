"""Run every benchmark script of bench/ (each ``bench/*.py`` but this one and the
harness, ``_harness.py``), in name order.

Each runs with the project's virtualenv Python, from the project root, one after the
other (they measure the machine: never two at once). Exits 1 when any of them fails
(non-zero exit or time-out), after running them all.

    .venv/bin/python bench/run_all.py            # or: make bench
    .venv/bin/python bench/run_all.py --timeout 900
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds allowed per script (default 900)"
    )
    args = parser.parse_args()

    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    me = Path(__file__).resolve()
    scripts = sorted(
        p for p in BENCH.glob("*.py") if p.resolve() != me and not p.name.startswith("_")
    )
    if not scripts:
        print("no benchmark script in bench/")
        return 0

    results: list[tuple[str, str, float]] = []
    for script in scripts:
        name = script.relative_to(ROOT).as_posix()
        print(f"\n### {name}", flush=True)
        start = time.perf_counter()
        proc = subprocess.Popen([python, str(script)], cwd=ROOT)
        try:
            code = proc.wait(timeout=args.timeout)
            outcome = "ok" if code == 0 else f"FAILED (exit {code})"
        except subprocess.TimeoutExpired:
            # SIGTERM first: the scripts clean up (stop their server, drop their database)
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            outcome = f"FAILED (timed out after {args.timeout:.0f} s)"
        results.append((name, outcome, time.perf_counter() - start))

    print("\n### summary")
    for name, outcome, seconds in results:
        print(f"{name:<40} {outcome:<28} {seconds:6.1f} s")
    failed = [name for name, outcome, _ in results if outcome != "ok"]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
