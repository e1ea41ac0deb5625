"""The `gwlint` console script and `python -m gwlint`.

The cyclic GC goes off before gwlint imports anything (gwlint.cli.main says why it stays off):
the collections it would run while the standard library and gwlint's modules load are ~0.5% of a
1-site run's instructions (callgrind).
"""

import gc


def main() -> None:
    gc.disable()
    from gwlint.cli import main as run

    run()


if __name__ == "__main__":
    main()
