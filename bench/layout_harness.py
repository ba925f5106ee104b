"""Layout-perturbation harness for the CDRRMO PDF-export readers (issue 19).

    python -m bench.layout_harness [--variants 200] [--data ../shared/data]

From each shared export (raw_2022, raw_2023, raw_2025) it renders `--variants` seeded variants
the way a PDF exporter would vary them (`floodingnaque_pipeline_tests.fakes.cdrrmo_variants`:
dates printed once per block at its top, middle or bottom; cells wrapped over 1-4 lines with
the year on a line of its own; columns reordered, one optional column dropped; page headers
repeated, blank lines, CRLF, leading blanks), reads each, and compares every record with the
reading of the unperturbed export: recovered with the same (dates, barangay), refused, or
given a wrong date (worse than a refusal: a wrong label trains the model). Goal: >= 99 %
recovered and 0 wrong dates. Last line: `RESULT recovered=... wrong_dates=... variants=...`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from floodingnaque_pipeline_tests.fakes.cdrrmo_variants import Comparison, run_variants

EXPORTS = ("raw_2022.csv", "raw_2023.csv", "raw_2025.csv")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    total = Comparison()
    for name in EXPORTS:
        text = (args.data / "flood_records" / name).read_text(encoding="utf-8")
        result = run_variants(text, range(args.variants), name)
        checked = result.recovered + result.refused + result.wrong_dates + result.wrong_place
        print(
            f"{name}: records={checked} recovered={result.recovered / checked:.4f} "
            f"refused={result.refused} wrong_dates={result.wrong_dates} "
            f"wrong_barangay={result.wrong_place} accepted_not_in_original={result.extra}"
        )
        for example in result.examples[:5]:
            print(f"  {example}")
        total.add(result)
    checked = total.recovered + total.refused + total.wrong_dates + total.wrong_place
    print(
        f"RESULT recovered={total.recovered / checked:.4f} wrong_dates={total.wrong_dates} "
        f"variants={args.variants * len(EXPORTS)} refused={total.refused} "
        f"wrong_barangay={total.wrong_place}"
    )


if __name__ == "__main__":
    main()
