"""Generate ``docs/data_dictionary.md`` from the schemas (``python -m tradeimbalance.docs``).

A test checks that the committed file is what this module generates, so the
data dictionary cannot drift from the schemas the workflow validates against.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandera.pandas as pa

from .io import iotable
from .outputs.analysis_data import dictionary_markdown
from .schemas import ALL_SCHEMAS, CONTROL_DESCRIPTIONS
from .source_schemas import SOURCE_SCHEMAS

HEADER = """# Data dictionary

Every intermediate the workflow writes is a parquet file validated against a
schema before it is written (`src/tradeimbalance/schemas.py`,
`src/tradeimbalance/source_schemas.py`). This file is generated from those
schemas by `python -m tradeimbalance.docs`; do not edit it by hand.
Money is millions of current US dollars unless stated.
"""
#: The KOF indices of the paper's tables (config kof.required_columns).
KOF_INDICES = ("KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj")


def _dtype(col: pa.Column) -> str:
    return str(col.dtype) if col.dtype is not None else "any"


def schema_markdown(schema: pa.DataFrameSchema) -> str:
    lines = [f"## `{schema.name}`", "", schema.description or "", ""]
    if schema.unique:
        lines += [f"Key (unique): {', '.join(f'`{k}`' for k in schema.unique)}.", ""]
    lines += ["| column | dtype | nullable | description |", "|---|---|---|---|"]
    for name, col in schema.columns.items():
        desc = (col.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | {_dtype(col)} | {'yes' if col.nullable else 'no'} | {desc} |")
    return "\n".join(lines) + "\n"


def render() -> str:
    parts = [HEADER, "## Input–output tables (`data/processed/io/<release>/wiot_<year>.parquet`)\n", _iotable_doc()]
    parts += [schema_markdown(s) for s in [*SOURCE_SCHEMAS, *ALL_SCHEMAS]]
    parts.append(dictionary_markdown(list(KOF_INDICES), list(CONTROL_DESCRIPTIONS)))
    return "\n".join(parts)


def _iotable_doc() -> str:
    doc = iotable.__doc__ or ""
    body = doc.split("--------------------------------------------------------------------", 1)[-1]
    return body.strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:] or ["docs/data_dictionary.md"])[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
