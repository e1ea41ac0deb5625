"""Time gwlint against a crossplane-only parse (and gixy-ng when installed) on generated trees.

`python bench/run.py` generates (once, under bench/.trees/) a tree per size, then for each size
runs every tool (gixy, when on PATH, up to --gixy-max-sites) once untimed (page cache, gwlint's cache for the
warm case) and `runs` times timed, interleaved (A B C, A B C, ...). Each run is a whole process: wall time by the clock,
peak memory from the child's rusage. Prints a Markdown table and writes it to bench/results.md.
"""

import argparse
import importlib.util
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from gen import MAP_ENTRIES, write_map_tree, write_tree

HERE = Path(__file__).resolve().parent
MAP = 0  # the `map` case: sizes are site counts, this one is the 10-site tree plus a big map include
DEFAULT_RUNS = {1: 15, 10: 15, 1000: 5, 10000: 3, MAP: 3}
IMPORT = 'python -c "import crossplane"'
COLD = "gwlint --no-cache"
SERVER = "gwlint server: re-lint after a one-line change"
# Compiled bytecode as an installed gwlint has it: with PYTHONDONTWRITEBYTECODE set, an editable
# install recompiles gwlint's sources on every start (~35 ms), while site-packages ship .pyc files.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def tree(n: int, seed: int, base: Path) -> Path:
    root = base / (f"n{n}-s{seed}" if n != MAP else f"map{MAP_ENTRIES}-s{seed}")
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        if n == MAP:
            write_map_tree(root, seed=seed)
        else:
            write_tree(n, root, seed)
        (root / ".complete").touch()
    return root


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MiB and CPU seconds (user + system) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def tools(root: Path, n: int, gixy: str | None) -> dict[str, list[str]]:
    bindir = Path(sys.executable).parent
    entry = str(root / "etc/nginx/nginx.conf")
    gwlint = [str(bindir / "gwlint"), "check"]
    found = {
        "crossplane.parse": [sys.executable, str(HERE / "crossplane_parse.py"), entry],
        COLD: [*gwlint, "--no-cache", str(root)],
        "gwlint (warm cache)": [*gwlint, str(root)],
    }
    if n == 1:  # start-up: the interpreter and crossplane's import, nothing read
        found[IMPORT] = [sys.executable, "-c", "import crossplane"]
    if gixy:
        found["gixy-ng"] = [gixy, entry]
    return found


def bench(sizes: list[int], runs: dict[int, int], seed: int, base: Path, gixy: str | None,
          gixy_max: int) -> list[dict]:
    rows = []
    for n in sizes:
        root = tree(n, seed, base)
        paths = [p for p in root.rglob("*") if p.is_file() and ".gwlint_cache" not in p.parts
                 and p.name != ".complete"]
        files, size = len(paths), sum(p.stat().st_size for p in paths)
        cmds = tools(root, n, gixy if n != MAP and n <= gixy_max else None)
        samples = {name: [] for name in cmds}
        for cmd in cmds.values():
            measure(cmd)  # untimed: page cache, and gwlint's cache for the warm case
        for _ in range(runs.get(n, 3)):
            for name, cmd in cmds.items():
                samples[name].append(measure(cmd))
        if n == 1000 and importlib.util.find_spec("pygls"):  # the editor's case: one server, one line changed
            samples[SERVER] = server_relint(root, runs.get(n, 3))
        base_time = statistics.median(s[0] for s in samples["crossplane.parse"])
        base_mem = statistics.median(s[1] for s in samples["crossplane.parse"])
        base_cpu = statistics.median(s[2] for s in samples["crossplane.parse"])
        for name, got in samples.items():
            wall = statistics.median(s[0] for s in got)
            mem = max(s[1] for s in got)
            cpu = statistics.median(s[2] for s in got)
            rows.append({"n": n, "files": files, "mb": size / 1e6, "tool": name, "runs": len(got), "wall": wall,
                         "ratio": wall / base_time, "cpu": cpu, "cpu_ratio": cpu / base_cpu,
                         "mem": mem, "mem_ratio": mem / base_mem})
            print(f"N={_sites(n):<6} {name:<22} {wall:8.3f} s  {wall / base_time:5.2f}x  cpu {cpu:7.3f} s "
                  f"{cpu / base_cpu:5.2f}x  {mem:7.1f} MiB", file=sys.stderr)
    return rows


def server_relint(root: Path, runs: int) -> list[tuple[float, float, float]]:
    """(wall, peak RSS, CPU) of each of `gwlint server`'s re-lints after a one-line change
    (bench/server_relint.py, in a process of its own; the RSS is that process's peak)."""
    out = subprocess.run([sys.executable, str(HERE / "server_relint.py"), str(root), "--runs", str(max(runs, 5)),
                          "--json"], capture_output=True, text=True, env=ENV, check=True).stdout
    got = json.loads(out)
    return [(wall, got["mem"], cpu) for wall, cpu in got["each"]]


def table(rows: list[dict]) -> str:
    lines = ["| sites | files | MB | tool | runs | wall | × crossplane | CPU | × crossplane | peak RSS "
             "| × crossplane |",
             "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {_sites(r['n'])} | {r['files']:,} | {r['mb']:.1f} | {r['tool']} | {r['runs']} | "
                     f"{r['wall']:.3f} s | {r['ratio']:.2f} | {r['cpu']:.3f} s | {r['cpu_ratio']:.2f} | "
                     f"{r['mem']:.0f} MiB | {r['mem_ratio']:.2f} |")
    return "\n".join(lines)


def _sites(n: int) -> str:
    return f"10 + map ({MAP_ENTRIES / 1e6:.1f}M)" if n == MAP else f"{n:,}"


# (what, the run it reads, its measure, the limit): every target of issues 18 and 21, checked on each run
TARGETS = [
    ("1-site tree ≤ 2.0× `python -c \"import crossplane\"` (start-up)", 1, ("wall", COLD, IMPORT), 2.0),
    ("10-site tree ≤ 0.5× gixy-ng", 10, ("wall", COLD, "gixy-ng"), 0.5),
    ("10-site tree ≤ 2.0× crossplane-only parse", 10, ("wall", COLD, "crossplane.parse"), 2.0),
    ("10,000 sites: peak memory ≤ 1.5× crossplane's", 10000, ("mem", COLD, "crossplane.parse"), 1.5),
    ("26 MB `map` include: under 2 s", MAP, ("wall", COLD, None), 2.0),
    ("26 MB `map` include: under 300 MB", MAP, ("mem", COLD, None), 300.0),
    ("1,000 sites: `gwlint server` re-lint after a one-line change within 1 s (issue 21)", 1000,
     ("wall", SERVER, None), 1.0),
]


def targets(rows: list[dict]) -> str:
    """The targets as a Markdown table: the measured ratio (or value) and whether it holds."""
    def row(n: int, tool: str) -> dict | None:
        return next((r for r in rows if r["n"] == n and r["tool"] == tool), None)

    lines = ["| target | measured | holds |", "|---|---|---|"]
    for what, n, (measure, tool, base), limit in TARGETS:
        got, ref = row(n, tool), row(n, base) if base else None
        unit = "s" if measure == "wall" else "MiB"
        if got is None or (base and ref is None):
            missing = "gixy-ng not found (see --gixy)" if base == "gixy-ng" else f"size {_sites(n)} not run"
            lines.append(f"| {what} | not measured: {missing} | |")
            continue
        if base:
            value = got[measure] / ref[measure]
            shown = f"{value:.2f}× ({got[measure]:.3f} {unit} vs {ref[measure]:.3f} {unit})" if unit == "s" else \
                f"{value:.2f}× ({got[measure]:.0f} vs {ref[measure]:.0f} MiB)"
        else:
            value = got[measure]
            shown = f"{value:.2f} s" if unit == "s" else f"{value:.0f} MiB"
        lines.append(f"| {what} | {shown} | {'**yes**' if value <= limit else '**no**'} |")
    return "\n".join(lines)


def scaling(rows: list[dict]) -> str:
    """Time ratio between consecutive sizes for each tool (10× the sites should cost ≤ 11× the time)."""
    out = []
    by_tool: dict[str, list[dict]] = {}
    for r in rows:
        if r["n"] in (MAP, 1):
            continue
        by_tool.setdefault(r["tool"], []).append(r)
    for tool, rs in by_tool.items():
        steps = [f"{a['n']:,}→{b['n']:,}: {b['wall'] / a['wall']:.1f}× wall, {b['cpu'] / a['cpu']:.1f}× CPU"
                 for a, b in itertools.pairwise(rs)]
        if steps:
            out.append(f"- {tool}: " + "; ".join(steps))
    return "\n".join(out)


def install() -> str:
    """How the gwlint being timed is installed: users get a regular install, whose start-up the
    targets are about (an editable one adds setuptools' import finder, ~20 ms)."""
    found = subprocess.run([sys.executable, "-I", "-c", "import gwlint; print(gwlint.__file__)"], capture_output=True,
                           text=True, env=ENV).stdout.strip()
    if Path(found).resolve() == HERE.parent / "gwlint" / "__init__.py":
        return "an editable install of the checkout (`make bench` uses a regular one)"
    return f"a regular (not editable) install of the checkout in {Path(sys.executable).parent.parent.name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,1000,10000,map",
                        help="comma-separated site counts, and `map` (the 26 MB map include) [default: %(default)s]")
    parser.add_argument("--runs", type=int,
                        help="timed runs per tool and size [default: 15 for 1 and 10 sites, 5 for 1k, 3 else]")
    parser.add_argument("--gixy", default=shutil.which("gixy"),
                        help="gixy-ng executable (`make bench` installs one in bench/.gixy-venv) [default: on PATH]")
    parser.add_argument("--readme", type=Path, help="also put the results into this README, between its markers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trees", type=Path, default=HERE / ".trees", help="where generated trees are kept")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--gixy-max-sites", type=int, default=1000,
                        help="run gixy (when on PATH) only up to this many sites: it needs ~100 s per run "
                             "on 10,000 [default: 1000]")
    args = parser.parse_args()
    sizes = [MAP if s == "map" else int(s) for s in args.sizes.split(",")]
    runs = {n: args.runs or DEFAULT_RUNS.get(n, 3) for n in sizes}
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    installed = install()
    print(f"gwlint: {installed}; every tool runs with {Path(sys.executable).parent.parent.name}'s Python",
          file=sys.stderr)
    rows = bench(sizes, runs, args.seed, args.trees, args.gixy, args.gixy_max_sites)
    cpu = platform.processor() or platform.machine()
    report = (f"Generated by `make bench` (bench/run.py, seed {args.seed}) on {time.strftime('%Y-%m-%d')}: "
              f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average before "
              f"the run {load}; gwlint is {installed}, and every tool but gixy-ng runs with its Python. "
              f"Whole-process wall time and CPU time (user + system; steadier than wall on a shared machine) "
              f"are medians, peak RSS the maximum; runs interleaved.\n\n"
              f"{table(rows)}\n\nTargets (gwlint without its cache, or the server's re-lint; wall time):\n\n"
              f"{targets(rows)}\n\n"
              f"Scaling (time at 10× the sites):\n\n{scaling(rows)}\n")
    print(report)
    args.out.write_text(report)
    if args.readme:
        start, end = "<!-- bench/results.md -->\n", "<!-- /bench/results.md -->"
        text = args.readme.read_text()
        a = text.index(start) + len(start)
        args.readme.write_text(text[:a] + report + text[text.index(end, a):])


if __name__ == "__main__":
    main()
