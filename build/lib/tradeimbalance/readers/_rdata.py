"""Reading R data files (``.RData``/``.rda``) with the ``rdata`` package, with clear errors."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import rdata

from ..errors import InputError


def read_rdata(path: str | Path) -> dict[str, Any]:
    """Return the objects stored in an R data file, or raise :class:`InputError`.

    A missing file, a truncated or corrupt compressed stream and a file that
    is not an R data file all become an :class:`InputError` naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "", "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "", "the file is empty (0 bytes): a download or copy was interrupted; get the file again")
    try:
        with warnings.catch_warnings():
            # rdata has no constructor for classes such as WIOD 2013's "iot" and returns the
            # underlying R list, which is what the readers want.
            warnings.filterwarnings("ignore", message="Missing constructor for R class")
            objects = rdata.read_rda(path, default_encoding="utf8")
    except EOFError as exc:
        raise InputError(path, "", f"file is truncated ({exc or 'unexpected end of data'})") from exc
    except Exception as exc:  # rdata raises many types on corrupt input (OSError, ValueError, NotImplementedError…)
        raise InputError(path, "", f"not a readable R data file ({type(exc).__name__}: {exc})") from exc
    return dict(objects)
