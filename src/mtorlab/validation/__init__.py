"""Validation against published data: measured time courses, PK and trial outcomes.

Each dataset (``data/datasets/*.yaml``, format in ``data/FORMAT.md``) is a published
measurement with a verified citation, its protocol as mtorlab scenarios, an observable over
model readouts and a tolerance rule declared before any fit; ``data/split.yaml`` declares
which datasets are held out from calibration.
"""

from mtorlab.validation._load import load_datasets, load_split, select
from mtorlab.validation._report import as_html, figure_png, write_petab
from mtorlab.validation._run import DatasetResult, run_all, run_dataset, summary
from mtorlab.validation._schema import Dataset

__all__ = [
    "Dataset",
    "DatasetResult",
    "as_html",
    "figure_png",
    "load_datasets",
    "load_split",
    "run_all",
    "run_dataset",
    "select",
    "summary",
    "write_petab",
]
