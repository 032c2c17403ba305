"""Door simulation: how many desks for the queue at the door, by discrete-event simulation.

What it measures and checks, and the results: README, « Bancs d'essai ».

    .venv/bin/python bench/door_simulation.py
    .venv/bin/python bench/door_simulation.py --profile uniform --desks 1-6
    .venv/bin/python bench/door_simulation.py --arrivals 600 --replications 500 --seed 7
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import json
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import _harness as h

DEFAULT_CHART = h.ROOT / "var" / "bench" / "door_simulation.png"
LONG_WAIT_S = 5 * 60


# --- the model ----------------------------------------------------------------------------------


def arrival_times(
    rng: random.Random, count: int, window_s: float, profile: str, peak_s: float
) -> list[float]:
    """``count`` arrival times in seconds from the opening of the doors, sorted."""
    if profile == "uniform":
        times = [rng.uniform(0, window_s) for _ in range(count)]
    else:
        times = [rng.triangular(0, window_s, peak_s) for _ in range(count)]
    return sorted(times)


@dataclass
class Run:
    """One replication for one k: what happened to each person (in arrival order)."""

    arrivals: list[float]
    starts: list[float]
    ends: list[float]
    desks: int

    @property
    def waits(self) -> list[float]:
        return [s - a for a, s in zip(self.arrivals, self.starts, strict=True)]

    def queue_events(self) -> list[tuple[float, int]]:
        """(time, +1/-1) for each person who had to wait: joins, leaves the line."""
        events = []
        for arrival, start in zip(self.arrivals, self.starts, strict=True):
            if start > arrival:
                events += [(arrival, 1), (start, -1)]
        return sorted(events)  # at equal times, -1 (someone leaves) comes first

    def max_queue(self) -> int:
        length = longest = 0
        for _, delta in self.queue_events():
            length += delta
            longest = max(longest, length)
        return longest

    def queue_length_at(self, times: list[float]) -> list[int]:
        joined = sorted(a for a, s in zip(self.arrivals, self.starts, strict=True) if s > a)
        left = sorted(s for a, s in zip(self.arrivals, self.starts, strict=True) if s > a)
        # after everything that happened at t (join at t counted, leave at t counted)
        return [bisect.bisect_right(joined, t) - bisect.bisect_right(left, t) for t in times]


def simulate(arrivals: list[float], services: list[float], desks: int) -> Run:
    """One line, first come first served, ``desks`` desks: each person, in arrival order,
    takes the desk that frees up first, as soon as they are there."""
    free_at = [0.0] * desks  # a heap of the times each desk frees up
    starts, ends = [], []
    for arrival, service in zip(arrivals, services, strict=True):
        start = max(arrival, heapq.heappop(free_at))
        end = start + service
        heapq.heappush(free_at, end)
        starts.append(start)
        ends.append(end)
    return Run(arrivals, starts, ends, desks)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (nan for no value)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def figures_of(run: Run) -> dict[str, float]:
    waits = run.waits
    return {
        "max_queue": run.max_queue(),
        "mean_wait_s": statistics.fmean(waits),
        "p95_wait_s": percentile(waits, 95),
        "max_wait_s": max(waits),
        "last_in_s": max(run.ends),
        "share_over_5_min": sum(w > LONG_WAIT_S for w in waits) / len(waits),
    }


def invariant_failures(run: Run) -> list[str]:
    """What should never happen, whatever the draws."""
    failures = []
    n = len(run.arrivals)
    if not (len(run.starts) == len(run.ends) == n):
        failures.append("not everybody got in exactly once")
    if any(s < a for a, s in zip(run.arrivals, run.starts, strict=True)):
        failures.append("a negative wait")
    if any(later < earlier for earlier, later in pairwise(run.starts)):
        failures.append("the line was not served in arrival order")
    events = sorted([(s, 1) for s in run.starts] + [(e, -1) for e in run.ends])
    busy = 0
    for _, delta in events:  # at equal times, an end (-1) comes before a start
        busy += delta
        if busy > run.desks:
            failures.append(f"more than {run.desks} people at the desks at once")
            break
    return failures


# --- the chart ----------------------------------------------------------------------------------


PALETTE = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip


def _font(size: int):
    from PIL import ImageFont

    try:
        import font_roboto  # a dependency of the project (badges)

        return ImageFont.truetype(font_roboto.font_files["Roboto"], size)
    except (ImportError, KeyError, OSError):
        return ImageFont.load_default(size=size)


def _nice_step(span: float, ticks: int = 6) -> float:
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


class _Panel:
    """A plot area on a Pillow image: data coordinates to pixels, axes and ticks."""

    def __init__(self, draw, box, x_range, y_range, font):
        self.draw, self.font = draw, font
        self.left, self.top, self.right, self.bottom = box
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range

    def xy(self, x: float, y: float) -> tuple[float, float]:
        px = self.left + (x - self.x0) / (self.x1 - self.x0) * (self.right - self.left)
        py = self.bottom - (y - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)
        return px, py

    def axes(self, x_ticks, y_step: float, x_label: str, y_label: str, title: str) -> None:
        d = self.draw
        y = self.y0
        while y <= self.y1 + 1e-9:
            _, py = self.xy(self.x0, y)
            d.line([(self.left, py), (self.right, py)], fill=(232, 232, 232))
            d.text((self.left - 8, py), f"{y:g}", fill="black", font=self.font, anchor="rm")
            y += y_step
        for x in x_ticks:
            px, _ = self.xy(x, self.y0)
            d.line([(px, self.bottom), (px, self.bottom + 5)], fill="black")
            d.text((px, self.bottom + 8), f"{x:g}", fill="black", font=self.font, anchor="mt")
        d.rectangle([self.left, self.top, self.right, self.bottom], outline="black")
        mid_x = (self.left + self.right) / 2
        d.text((mid_x, self.bottom + 32), x_label, fill="black", font=self.font, anchor="mt")
        d.text((mid_x, self.top - 10), title, fill="black", font=self.font, anchor="mb")
        d.text((self.left - 52, self.top - 10), y_label, fill="black", font=self.font, anchor="lb")

    def polyline(self, points, colour, width: int = 2, marker: bool = False) -> None:
        pixels = [self.xy(x, y) for x, y in points]
        self.draw.line(pixels, fill=colour, width=width, joint="curve")
        if marker:
            for px, py in pixels:
                self.draw.ellipse([px - 4, py - 4, px + 4, py + 4], fill=colour)

    def dashed_h(self, y: float, colour) -> None:
        _, py = self.xy(self.x0, y)
        x = self.left
        while x < self.right:
            self.draw.line([(x, py), (min(x + 8, self.right), py)], fill=colour, width=2)
            x += 14

    def legend(self, entries, corner: str = "right") -> None:
        x = self.right - 190 if corner == "right" else self.left + 12
        y = self.top + 10
        for label, colour in entries:
            self.draw.line([(x, y + 8), (x + 24, y + 8)], fill=colour, width=3)
            self.draw.text((x + 32, y), label, fill="black", font=self.font)
            y += 20


def chart_with_pillow(path: Path, data: dict) -> None:
    from PIL import Image, ImageDraw

    width, height = 1300, 560
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image, "RGBA")
    font, title_font = _font(14), _font(17)
    draw.text((width / 2, 14), data["title"], fill="black", font=title_font, anchor="mt")

    # left: 95th percentile of waiting against k
    ks = data["ks"]
    p95 = [v / 60 for v in data["p95_median_s"]]
    low = [v / 60 for v in data["p95_p10_s"]]
    high = [v / 60 for v in data["p95_p90_s"]]
    top = max([*high, data["target_min"], 1.0])
    step = _nice_step(top)
    y_max = step * math.ceil(top / step)
    panel = _Panel(draw, (80, 80, 610, 480), (ks[0] - 0.3, ks[-1] + 0.3), (0, y_max), font)
    panel.axes(ks, step, "desks (k)", "minutes", "Waiting time, 95th percentile")
    band = [panel.xy(k, v) for k, v in zip(ks, high, strict=True)]
    band += [panel.xy(k, v) for k, v in reversed(list(zip(ks, low, strict=True)))]
    if len(band) > 2:
        draw.polygon(band, fill=(*PALETTE[0], 60))
    panel.dashed_h(data["target_min"], (120, 120, 120))
    panel.polyline(list(zip(ks, p95, strict=True)), PALETTE[0], marker=True)
    panel.legend(
        [
            ("median over the runs", PALETTE[0]),
            ("10th-90th pct of runs", (*PALETTE[0], 90)),
            (f"target {data['target_min']:g} min", (120, 120, 120)),
        ]
    )

    # right: the line over time, first replication, one curve per k
    times = [t / 60 for t in data["series_times_s"]]
    longest = max((max(s) for s in data["queue_series"].values()), default=1) or 1
    step = _nice_step(longest)
    y_max = step * math.ceil(longest / step)
    x_step = _nice_step(times[-1])
    x_ticks = [i * x_step for i in range(int(times[-1] // x_step) + 1)]
    panel = _Panel(draw, (720, 80, 1260, 480), (0, times[-1]), (0, y_max), font)
    panel.axes(
        x_ticks,
        step,
        "minutes since the doors opened",
        "people in line",
        "Line over time (first run)",
    )
    px, _ = panel.xy(data["peak_s"] / 60, 0)
    if 0 <= data["peak_s"] / 60 <= times[-1]:
        for y in range(panel.top, panel.bottom, 10):
            draw.line([(px, y), (px, y + 4)], fill=(120, 120, 120), width=1)
        draw.text((px + 4, panel.top + 4), "start", fill=(90, 90, 90), font=font)
    entries = []
    for index, (k, series) in enumerate(data["queue_series"].items()):
        colour = PALETTE[index % len(PALETTE)]
        panel.polyline(list(zip(times, series, strict=True)), colour)
        entries.append((f"k = {k}", colour))
    panel.legend(entries[:12], corner="left")
    image.save(path, "PNG", optimize=True)


def write_chart(path: Path, data: dict) -> str:
    """Draw the chart with Pillow (a dependency of reportlab); returns the library used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chart_with_pillow(path, data)
    return "Pillow"


# --- main ---------------------------------------------------------------------------------------


def parse_desks(text: str) -> list[int]:
    """'1-8', '2,4,6' or '3' -> sorted distinct desk counts."""
    ks: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        ks.update(range(int(low), int(high or low) + 1))
    if not ks or min(ks) < 1:
        raise argparse.ArgumentTypeError("desks: positive numbers, e.g. 1-8 or 2,4,6")
    return sorted(ks)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arrivals", type=int, default=300, help="people (default 300)")
    parser.add_argument(
        "--window", type=float, default=30.0, help="minutes over which they arrive (default 30)"
    )
    parser.add_argument(
        "--profile",
        choices=["peak", "uniform"],
        default="peak",
        help="arrivals peaking at the start (triangular), or spread evenly (default peak)",
    )
    parser.add_argument(
        "--peak-at",
        type=float,
        default=20.0,
        help="minutes from the opening of the doors to the start, the peak (default 20)",
    )
    parser.add_argument(
        "--desks", type=parse_desks, default=parse_desks("1-8"), help="k to try (default 1-8)"
    )
    parser.add_argument("--service-min", type=float, default=8.0, help="seconds (default 8)")
    parser.add_argument("--service-max", type=float, default=15.0, help="seconds (default 15)")
    parser.add_argument("--replications", type=int, default=200, help="runs (default 200)")
    parser.add_argument("--seed", type=int, default=2014, help="seed (default 2014)")
    parser.add_argument(
        "--target-wait",
        type=float,
        default=5.0,
        help="minutes: the 95th percentile of waiting to stay under (default 5)",
    )
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART, help="PNG to write")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the chart")
    parser.add_argument("--strict-goals", action="store_true", help="missed goals fail the run")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.arrivals < 1 or args.replications < 1 or args.window <= 0:
        parser.error("--arrivals, --replications and --window must be positive")
    if not 0 < args.service_min <= args.service_max:
        parser.error("need 0 < --service-min <= --service-max")
    if not 0 <= args.peak_at <= args.window:
        parser.error("--peak-at must fall within the window")
    return args


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(round(seconds % 60)) % 60:02d}" if seconds >= 0 else "-"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    window_s, peak_s = args.window * 60, args.peak_at * 60
    profile_text = (
        f"peak (triangular: doors open at 0, peak at {args.peak_at:g} min, end {args.window:g})"
        if args.profile == "peak"
        else "uniform"
    )
    print("== door simulation ==")
    print(
        f"model   : {args.arrivals} arrivals over {args.window:g} min, profile {profile_text}; "
        f"ID check + scan uniform {args.service_min:g}-{args.service_max:g} s; one line, "
        f"first come first served; k = {', '.join(map(str, args.desks))}"
    )
    print(f"runs    : {args.replications} replications, seed {args.seed}")

    per_k: dict[int, list[dict[str, float]]] = {k: [] for k in args.desks}
    failures: list[str] = []
    first_runs: dict[int, Run] = {}
    for replication in range(args.replications):
        rng = random.Random(f"{args.seed}-{replication}")
        arrivals = arrival_times(rng, args.arrivals, window_s, args.profile, peak_s)
        services = [rng.uniform(args.service_min, args.service_max) for _ in arrivals]
        for k in args.desks:
            run = simulate(arrivals, services, k)
            for failure in invariant_failures(run):
                if len(failures) < 10:
                    failures.append(f"replication {replication}, k={k}: {failure}")
            per_k[k].append(figures_of(run))
            if replication == 0:
                first_runs[k] = run
    # the line over time in the first run, until the last person of the smallest k is in
    horizon = 300 * math.ceil(max(max(r.ends) for r in first_runs.values()) / 300)
    series_times = [horizon * i / 400 for i in range(401)]
    queue_series = {k: run.queue_length_at(series_times) for k, run in first_runs.items()}

    def med(k: int, key: str) -> float:
        return statistics.median(f[key] for f in per_k[k])

    def share_under(k: int, limit_s: float) -> float:
        return sum(f["p95_wait_s"] <= limit_s for f in per_k[k]) / len(per_k[k])

    print(
        f"\nmedians over the {args.replications} runs (times in min:s; 'last in' counted from "
        "the opening of the doors)"
    )
    header = (
        f"{'k':>3}  {'max line':>8}  {'mean wait':>9}  {'p95 wait':>8}  {'max wait':>8}  "
        f"{'last in':>7}  {'wait > 5 min':>12}  {'p95 <= target':>13}"
    )
    print(header)
    print("-" * len(header))
    table = []
    for k in args.desks:
        row = {
            "k": k,
            "max_queue": med(k, "max_queue"),
            "mean_wait_s": med(k, "mean_wait_s"),
            "p95_wait_s": med(k, "p95_wait_s"),
            "max_wait_s": med(k, "max_wait_s"),
            "last_in_s": med(k, "last_in_s"),
            "share_over_5_min": med(k, "share_over_5_min"),
            "p95_under_target_share": share_under(k, args.target_wait * 60),
            "p95_p10_s": percentile([f["p95_wait_s"] for f in per_k[k]], 10),
            "p95_p90_s": percentile([f["p95_wait_s"] for f in per_k[k]], 90),
        }
        table.append(row)
        print(
            f"{k:>3}  {row['max_queue']:>8.0f}  {minutes(row['mean_wait_s']):>9}  "
            f"{minutes(row['p95_wait_s']):>8}  {minutes(row['max_wait_s']):>8}  "
            f"{minutes(row['last_in_s']):>7}  {row['share_over_5_min']:>11.0%}  "
            f"{row['p95_under_target_share']:>12.0%}"
        )

    recommended = next((r for r in table if r["p95_under_target_share"] >= 0.9), None)
    goals_missed = []
    if recommended is None:
        goals_missed.append(
            f"no k up to {args.desks[-1]} keeps the 95th percentile of waiting under "
            f"{args.target_wait:g} min in 90 % of the runs"
        )
        print(f"\nrecommendation: more than {args.desks[-1]} desks ({goals_missed[0]})")
    else:
        k = recommended["k"]
        print(
            f"\nrecommendation: with {k} desks, 95 % wait less than "
            f"{recommended['p95_wait_s'] / 60:.1f} min (median of the runs; "
            f"{recommended['p95_p90_s'] / 60:.1f} min in 9 runs of 10), the longest line is "
            f"{recommended['max_queue']:.0f} people and the last one is in "
            f"{minutes(recommended['last_in_s'])} after the doors open"
        )

    chart_note = "not drawn (--no-chart)"
    if not args.no_chart:
        data = {
            "title": (
                f"{args.arrivals} arrivals in {args.window:g} min ({args.profile}), "
                f"{args.service_min:g}-{args.service_max:g} s per person, "
                f"{args.replications} runs, seed {args.seed}"
            ),
            "ks": args.desks,
            "p95_median_s": [r["p95_wait_s"] for r in table],
            "p95_p10_s": [r["p95_p10_s"] for r in table],
            "p95_p90_s": [r["p95_p90_s"] for r in table],
            "target_min": args.target_wait,
            "series_times_s": series_times,
            "queue_series": queue_series,
            "peak_s": peak_s if args.profile == "peak" else -1,
        }
        try:
            library = write_chart(args.chart, data)
            chart_note = f"{args.chart} ({library})"
        except ImportError as exc:
            chart_note = f"not drawn: Pillow is not installed ({exc})"
        except OSError as exc:
            failures.append(f"chart: {exc}")
    print(f"chart   : {chart_note}")
    print(f"time    : {time.perf_counter() - started:.1f} s")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "args": {k: v for k, v in vars(args).items() if k not in ("json", "chart")},
                    "table": table,
                    "recommended_k": recommended["k"] if recommended else None,
                    "failures": failures,
                    "goals_missed": goals_missed,
                },
                indent=2,
            )
        )
    print(
        "goals   : "
        + ("met" if not goals_missed else "MISSED: " + "; ".join(goals_missed))
        + f" (95 % wait less than {args.target_wait:g} min with at most {args.desks[-1]} desks)"
    )
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    if goals_missed and args.strict_goals:
        print("FAILED: goals missed (--strict-goals)")
        return 1
    print("PASSED: every invariant holds")
    return 0


if __name__ == "__main__":
    # Pillow comes with the project's virtualenv (the model needs the standard library only)
    h.use_venv()
    sys.exit(main())
