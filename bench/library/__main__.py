"""`python -m bench.library --reports N --seed S --out DIR`: write a synthetic library."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.library.generate import generate_library
from bench.library.plan import PAGES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.library", description=__doc__)
    parser.add_argument("--reports", type=int, default=1000, help="how many reports (1000)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same library (0)")
    parser.add_argument("--out", type=Path, required=True, help="the corpus folder to write")
    parser.add_argument("--workers", type=int, default=None, help="processes (one per core)")
    parser.add_argument(
        "--pages", type=int, nargs=2, default=PAGES, metavar=("MIN", "MAX"), help="(10 40)"
    )
    args = parser.parse_args(argv)
    summary = generate_library(
        args.out, args.reports, args.seed, args.workers, pages=tuple(args.pages)
    )
    print(
        f"Wrote {summary.reports:,} reports ({summary.pages:,} pages) to {summary.out}"
        f" in {summary.seconds:.1f} s.\nIndex them with the briefings:"
        f" SAFEGUARDING_CORPUS_DIR={summary.out} safeguarding ingest"
        " --source briefings --source reports"
    )


if __name__ == "__main__":
    main()
