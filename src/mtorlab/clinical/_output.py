"""Write a trial's results folder atomically (the cohort dataset's staging and commit).

The folder holds ``patients``, ``visits``, ``contrasts``, ``time_to_response`` and
``screening`` as Parquet and CSV, ``figure.png``, ``report.html``, ``trial.yaml`` (the design
as run) and the completion marker written last. Everything goes to a staging folder beside the
target first; a failed or killed run leaves any earlier results as they were.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

MARKER_NAME = "trial.json"  # says the folder is a trial's results (besides the dataset marker)


def is_trial_folder(folder: Path) -> bool:
    """A complete trial results folder written by :func:`write_results`."""
    from mtorlab.cohort._dataset import MARKER

    return (folder / MARKER).is_file() and (folder / MARKER_NAME).is_file()


def check_trial_target(output: Path, force: bool) -> None:
    """Refuse, before any work, a target that is a file or a folder of something else."""
    if output.exists() and not output.is_dir():
        raise MtorlabError(f"-o {str(output)!r}: exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not is_trial_folder(output) and not force:
        raise MtorlabError(
            f"-o {str(output)!r}: a folder that is not a trial's results; "
            "choose a new folder (or --force to replace it)"
        )


def write_results(
    output: Path,
    tables: dict[str, pd.DataFrame],
    files: dict[str, bytes | str],
    meta: dict[str, object],
) -> Path:
    """Write every table (Parquet and CSV) and file into ``output`` in one commit."""
    from mtorlab.cohort._dataset import commit, discard, staging_folder, sweep

    sweep(output)
    tmp = staging_folder(output)
    try:
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            df.to_csv(tmp / f"{name}.csv", index=False)
        for name, data in files.items():
            path = tmp / name
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
        (tmp / MARKER_NAME).write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        n = int(meta.get("randomised", 0))  # type: ignore[call-overload]
        commit(tmp, output, n, len(tables))
    except BaseException:
        discard(tmp)
        raise
    return output
