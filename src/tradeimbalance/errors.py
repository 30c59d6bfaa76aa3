"""Errors raised on bad input.

Every error about a raw file names the file, the location inside it (sheet,
row, column, cell or object) and what is wrong, so that a user can open the
file and see the problem without reading the code.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """A raw input file is missing, unreadable or does not have the expected content.

    Parameters
    ----------
    file:
        The file that was being read.
    location:
        Where in the file the problem is (``"sheet 'Sheet1', row 12, column 'year'"``),
        or ``""`` when the problem concerns the whole file.
    problem:
        What is wrong, in words a user understands.
    """

    def __init__(self, file: str | Path, location: str, problem: str) -> None:
        self.file = str(file)
        self.location = location
        self.problem = problem
        where = f" at {location}" if location else ""
        super().__init__(f"{self.file}{where}: {problem}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str]]:
        # Pickled with its three arguments: an error raised in a worker process (a per-release job's years) reaches the
        # job as it was raised. Pickled by its message alone it could not be rebuilt, and the pool would wait forever.
        return (type(self), (self.file, self.location, self.problem))


class DownloadError(RuntimeError):
    """A raw file could not be fetched or failed its checksum."""
