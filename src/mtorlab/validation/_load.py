"""Load the validation datasets and the split declared for them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from mtorlab._yaml import read_yaml, validate_record
from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.validation._schema import Dataset

SPLITS = ("training", "held_out")


def data_dir() -> Path:
    """The folder of the packaged datasets (``datasets/*.yaml``) and ``split.yaml``."""
    return Path(str(resources.files("mtorlab.validation") / "data"))


def load_datasets(folder: str | Path | None = None) -> dict[str, Dataset]:
    """Every dataset of ``folder/datasets/*.yaml`` by id (default: the packaged ones)."""
    root = Path(folder) if folder is not None else data_dir()
    files = sorted((root / "datasets").glob("*.yaml"))
    if not files:
        raise DataFileError(str(root / "datasets"), "no dataset files (*.yaml) found")
    out: dict[str, Dataset] = {}
    for path in files:
        doc = read_yaml(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("datasets"), list):
            raise DataFileError(str(path), "a dataset file holds a list under the key 'datasets'")
        for i, raw in enumerate(doc["datasets"]):
            ds = validate_record(Dataset, raw, str(path), i)
            assert isinstance(ds, Dataset)
            if ds.id in out:
                raise DataFileError(str(path), "duplicate dataset id", entry=ds.id, field="id")
            out[ds.id] = ds
    return out


def load_split(ids: Iterable[str], folder: str | Path | None = None) -> dict[str, str]:
    """Dataset id -> ``training`` or ``held_out``, from ``split.yaml``; every id exactly once."""
    root = Path(folder) if folder is not None else data_dir()
    path = root / "split.yaml"
    doc = read_yaml(path)
    if not isinstance(doc, Mapping):
        raise DataFileError(str(path), "the split file is a mapping with 'training' and 'held_out'")
    out: dict[str, str] = {}
    for split in SPLITS:
        listed: Any = doc.get(split)
        if not isinstance(listed, list):
            raise DataFileError(str(path), "a list of dataset ids is required", field=split)
        for ds_id in listed:
            if ds_id in out:
                raise DataFileError(str(path), "listed twice", entry=str(ds_id), field=split)
            out[str(ds_id)] = split
    known = set(ids)
    for ds_id in out:
        if ds_id not in known:
            raise DataFileError(str(path), "no such dataset", entry=ds_id)
    missing = sorted(known - set(out))
    if missing:
        raise DataFileError(str(path), f"datasets without a split: {', '.join(missing)}")
    return out


def select(datasets: Mapping[str, Dataset], only: Iterable[str] | None) -> list[Dataset]:
    """The datasets named in ``only`` (ids, or levels such as ``pk``), or all of them."""
    wanted = [w for w in (only or ()) if w]
    if not wanted:
        return list(datasets.values())
    known = {*datasets, *(d.level for d in datasets.values())}
    for w in wanted:
        if w not in known:
            raise UnknownIdError("dataset or level", w, tuple(sorted(known)))
    return [d for d in datasets.values() if d.id in wanted or d.level in wanted]
