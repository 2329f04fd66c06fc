"""Row-wise reads and writes of a 2-D .npy file through ordinary file calls.

Ingest writes sentence vectors far larger than it should hold in memory. Memory-mapping them
would count every page it touches in its resident size; seeks and writes leave them to the page
cache, so the writer's memory stays that of one batch whatever the corpus size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def create(path: Path, rows: int, columns: int, dtype: type = np.float32) -> None:
    """A zero-filled (rows, columns) array file (sparse on disk until written)."""
    array = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(rows, columns))
    del array


class NpyRows:
    """An existing C-ordered 2-D .npy file, read and written by row ranges."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as handle:
            version = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(handle)
            self.offset = handle.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path}: expected a C-ordered 2-D array, found shape {shape}")
        self.shape: tuple[int, int] = shape
        self.dtype = np.dtype(dtype)
        self.row_bytes = shape[1] * self.dtype.itemsize

    def read(self, start: int, end: int) -> np.ndarray:
        """Rows [start, end)."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset + start * self.row_bytes)
            data = handle.read((end - start) * self.row_bytes)
        return np.frombuffer(data, dtype=self.dtype).reshape(end - start, self.shape[1])

    def read_rows(self, rows: np.ndarray) -> np.ndarray:
        """The given rows, in order, one read per run of consecutive rows."""
        if not len(rows):
            return np.zeros((0, self.shape[1]), dtype=self.dtype)
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        parts = []
        with self.path.open("rb") as handle:
            for run in np.split(rows, breaks):
                handle.seek(self.offset + int(run[0]) * self.row_bytes)
                parts.append(handle.read(len(run) * self.row_bytes))
        return np.frombuffer(b"".join(parts), dtype=self.dtype).reshape(len(rows), self.shape[1])

    def write_runs(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Write values[i] at row rows[i], one write per run of consecutive rows."""
        if not len(rows):
            return
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        with self.path.open("r+b") as handle:
            for run, part in zip(np.split(rows, breaks), np.split(values, breaks), strict=True):
                handle.seek(self.offset + int(run[0]) * self.row_bytes)
                handle.write(np.ascontiguousarray(part, dtype=self.dtype).tobytes())
