"""Time gwlint against a crossplane-only parse (and gixy-ng when installed) on generated trees.

`python bench/run.py` generates (once, under bench/.trees/) a tree per size, then for each size
runs every tool (gixy, when on PATH, up to --gixy-max-sites) once untimed (page cache, gwlint's cache for the
warm case) and `runs` times timed, interleaved (A B C, A B C, ...). Each run is a whole process: wall time by the clock,
peak memory from the child's rusage. Prints a Markdown table and writes it to bench/results.md.
"""

import argparse
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from gen import write_tree

HERE = Path(__file__).resolve().parent
DEFAULT_RUNS = {10: 15, 1000: 5, 10000: 3}
# Compiled bytecode as an installed gwlint has it: with PYTHONDONTWRITEBYTECODE set, an editable
# install recompiles gwlint's sources on every start (~35 ms), while site-packages ship .pyc files.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def tree(n: int, seed: int, base: Path) -> Path:
    root = base / f"n{n}-s{seed}"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
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


def tools(root: Path, gixy_ok: bool) -> dict[str, list[str]]:
    bindir = Path(sys.executable).parent
    entry = str(root / "etc/nginx/nginx.conf")
    gwlint = [str(bindir / "gwlint"), "check"]
    found = {
        "crossplane.parse": [sys.executable, str(HERE / "crossplane_parse.py"), entry],
        "gwlint --no-cache": gwlint + ["--no-cache", str(root)],
        "gwlint (warm cache)": gwlint + [str(root)],
    }
    gixy = shutil.which("gixy")
    if gixy and gixy_ok:
        found["gixy-ng"] = [gixy, entry]
    return found


def bench(sizes: list[int], runs: dict[int, int], seed: int, base: Path, gixy_max: int) -> list[dict]:
    rows = []
    for n in sizes:
        root = tree(n, seed, base)
        paths = [p for p in root.rglob("*") if p.is_file() and ".gwlint_cache" not in p.parts
                 and p.name != ".complete"]
        files, size = len(paths), sum(p.stat().st_size for p in paths)
        cmds = tools(root, n <= gixy_max)
        samples = {name: [] for name in cmds}
        for cmd in cmds.values():
            measure(cmd)  # untimed: page cache, and gwlint's cache for the warm case
        for _ in range(runs.get(n, 3)):
            for name, cmd in cmds.items():
                samples[name].append(measure(cmd))
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
            print(f"N={n:<6} {name:<22} {wall:8.3f} s  {wall / base_time:5.2f}x  cpu {cpu:7.3f} s "
                  f"{cpu / base_cpu:5.2f}x  {mem:7.1f} MiB", file=sys.stderr)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| sites | files | MB | tool | runs | wall | × crossplane | CPU | × crossplane | peak RSS "
             "| × crossplane |",
             "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['files']:,} | {r['mb']:.1f} | {r['tool']} | {r['runs']} | "
                     f"{r['wall']:.3f} s | {r['ratio']:.2f} | {r['cpu']:.3f} s | {r['cpu_ratio']:.2f} | "
                     f"{r['mem']:.0f} MiB | {r['mem_ratio']:.2f} |")
    return "\n".join(lines)


def scaling(rows: list[dict]) -> str:
    """Time ratio between consecutive sizes for each tool (10× the sites should cost ≤ 11× the time)."""
    out = []
    by_tool: dict[str, list[dict]] = {}
    for r in rows:
        by_tool.setdefault(r["tool"], []).append(r)
    for tool, rs in by_tool.items():
        steps = [f"{a['n']:,}→{b['n']:,}: {b['wall'] / a['wall']:.1f}× wall, {b['cpu'] / a['cpu']:.1f}× CPU"
                 for a, b in itertools.pairwise(rs)]
        if steps:
            out.append(f"- {tool}: " + "; ".join(steps))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="comma-separated site counts")
    parser.add_argument("--runs", type=int, help="timed runs per tool and size [default: 15/5/3 for 10/1k/10k]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trees", type=Path, default=HERE / ".trees", help="where generated trees are kept")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--gixy-max-sites", type=int, default=1000,
                        help="run gixy (when on PATH) only up to this many sites: it needs ~100 s per run "
                             "on 10,000 [default: 1000]")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = {n: args.runs or DEFAULT_RUNS.get(n, 3) for n in sizes}
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = bench(sizes, runs, args.seed, args.trees, args.gixy_max_sites)
    cpu = platform.processor() or platform.machine()
    report = (f"Generated by `make bench` (bench/run.py, seed {args.seed}) on {time.strftime('%Y-%m-%d')}: "
              f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average before "
              f"the run {load}. Whole-process wall time and CPU time (user + system; steadier than wall "
              f"on a shared machine) are medians, peak RSS the maximum; runs interleaved.\n\n"
              f"{table(rows)}\n\nScaling (time at 10× the sites):\n\n{scaling(rows)}\n")
    print(report)
    args.out.write_text(report)


if __name__ == "__main__":
    main()
