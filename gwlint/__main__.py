"""The `gwlint` console script and `python -m gwlint`.

The cyclic GC goes off before gwlint imports anything (gwlint.cli.main says why it stays off):
collections during the imports of a run were ~2% of a small tree's start-up.
"""

import gc


def main() -> None:
    gc.disable()
    from gwlint.cli import main as run

    run()


if __name__ == "__main__":
    main()
