"""Per-file checks: what share of a file's rows was refused (counted in the database), and
which of its records repeat another file's.

Declared as a check spec of each asset and evaluated in the same step, right after the file's
transaction commits: every materialization of a file partition is judged, and the check result
never refers to another partition than the one just written.
"""

import dagster as dg

from floodingnaque_pipeline.db.label_repeats import CrossFileRepeats
from floodingnaque_pipeline.db.labels import FileTally

CHECK_NAME = "rejection_ratio"
WARN_ABOVE = 0.10  # a few bad rows are normal in hand-kept spreadsheets
ERROR_ABOVE = 0.50  # most rows refused: wrong file, wrong layout or a broken export
DESCRIPTION = (
    "Share of the partition's file rows refused into ingest_rejections: warn above 10 %, error "
    "above 50 % (a whole-file refusal counts as one refused row and no accepted ones)."
)


def rejection_ratio_spec(asset_key: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name=CHECK_NAME, asset=asset_key, description=DESCRIPTION)


def rejection_ratio_result(tally: FileTally, file_name: str) -> dg.AssetCheckResult:
    ratio = tally.ratio
    if ratio > ERROR_ABOVE:
        passed, severity = False, dg.AssetCheckSeverity.ERROR
    elif ratio > WARN_ABOVE:
        passed, severity = False, dg.AssetCheckSeverity.WARN
    else:
        passed, severity = True, dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=passed,
        severity=severity,
        description=(
            f"{file_name}: {tally.rejected} of {tally.accepted + tally.rejected} rows refused "
            f"({ratio:.1%}); warn above {WARN_ABOVE:.0%}, error above {ERROR_ABOVE:.0%}"
        ),
        metadata={
            "file": dg.MetadataValue.text(file_name),
            "rows_accepted": dg.MetadataValue.int(tally.accepted),
            "rows_rejected": dg.MetadataValue.int(tally.rejected),
            "rejection_ratio": dg.MetadataValue.float(ratio),
        },
    )


def refused_whole_evaluation(
    asset_key: dg.AssetKey, file_name: str, reason: str
) -> dg.AssetCheckEvaluation:
    """The rejection-ratio check of a file refused whole. The tally would mislead: the database
    still holds the last accepted version's rows, so 1 refusal among them reads as a tiny ratio."""
    return dg.AssetCheckEvaluation(
        asset_key=asset_key,
        check_name=CHECK_NAME,
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{file_name}: file refused whole: {reason}",
        metadata={"file": dg.MetadataValue.text(file_name), "refused_whole": True},
    )


REPEATS_CHECK = "no_cross_file_duplicates"
REPEATS_DESCRIPTION = (
    "Records of the partition's file that repeat another landing file's: the same station and "
    "day (PAGASA; the later file takes the day over) or the same date and coordinates "
    "(CDRRMO; e.g. a raw export and its cleaned copy). Warn, never refuse: both may be right."
)


def cross_file_spec(asset_key: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name=REPEATS_CHECK, asset=asset_key, description=REPEATS_DESCRIPTION)


def cross_file_result(repeats: CrossFileRepeats, file_name: str) -> dg.AssetCheckResult:
    others = ", ".join(f"{name} ({n})" for name, n in sorted(repeats.by_file.items()))
    return dg.AssetCheckResult(
        check_name=REPEATS_CHECK,
        passed=repeats.rows == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{file_name}: {repeats.rows} record(s) repeat another file's: {others}"
            if repeats.rows
            else f"{file_name}: no record repeats another file's"
        ),
        metadata={
            "file": dg.MetadataValue.text(file_name),
            "rows_repeated": dg.MetadataValue.int(repeats.rows),
            "other_files": dg.MetadataValue.json(repeats.by_file),
            "examples": dg.MetadataValue.md("\n".join(f"- {e}" for e in repeats.examples)),
        },
    )
