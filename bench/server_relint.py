"""Time `gwlint server`'s re-lint of a tree after a one-line change of one open file.

`python bench/server_relint.py ROOT [--runs N] [--json]`: one in-process server (as the editor
starts it) opens a site file of ROOT and lints once (untimed: the cold start), then `runs` times
changes one line of that buffer and re-lints the root, publishing the diagnostics as it does over
stdio (to a stub). Prints the median wall and CPU time of a re-lint (the debounce not counted).
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path


def relint_times(root: Path, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each re-lint after a one-line change."""
    from lsprotocol import types as lsp

    from gwlint.server.lsp import GwlintServer

    server = GwlintServer()
    params = lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=root.as_uri())
    next(server.protocol.lsp_initialize(params), None)
    server.folders = [root]
    server.text_document_publish_diagnostics = lambda params: None
    site = min((root / "etc/nginx/sites-enabled").glob("*.conf"))
    text = site.read_text()
    server.workspace.put_text_document(lsp.TextDocumentItem(site.as_uri(), "nginx", 0, text))
    server.lint_root(root)
    lines = text.split("\n")
    out = []
    for version in range(1, runs + 1):
        changed = list(lines)
        changed[1] = f"{changed[1]}  # edit {version}"  # one line changed, as a keystroke does
        server.workspace.put_text_document(lsp.TextDocumentItem(site.as_uri(), "nginx", version, "\n".join(changed)))
        wall, cpu = time.perf_counter(), time.process_time()
        server.lint_root(root)
        out.append((time.perf_counter() - wall, time.process_time() - cpu))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true",
                        help="one JSON object: wall, cpu (medians), each ([wall, cpu] per run), mem (peak MiB)")
    args = parser.parse_args()
    got = relint_times(args.root.resolve(), args.runs)
    wall, cpu = statistics.median(w for w, _ in got), statistics.median(c for _, c in got)
    mem = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"wall": wall, "cpu": cpu, "mem": mem, "each": got}))
        return
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"re-lint after a one-line change: median {wall:.3f} s wall, {cpu:.3f} s CPU over {len(got)} runs "
          f"(each: {', '.join(f'{w:.2f}' for w, _ in got)} s); peak {mem:.0f} MiB; load average {load}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
