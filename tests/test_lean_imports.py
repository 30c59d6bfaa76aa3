"""A reading or input–output job loads neither the estimation nor the plotting libraries (the lean-workflow rule)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_workflow import script_modules  # noqa: E402

FORBIDDEN = ("linearmodels", "statsmodels", "scipy.stats", "matplotlib", "openpyxl", "numba", "wildboottest")


def _jobs(stage: str) -> list[Path]:
    return [s for s in sorted((ROOT / "scripts").glob("*.py")) if f"tradeimbalance.{stage}.steps" in s.read_text()]


#: Scripts that span two stages by design: a per-release job (config jobs: per_release) reads every year's table and
#: does its input–output algebra in one process.
TWO_STAGES = {"io_batch.py"}


def test_every_script_calls_one_stage_step_module() -> None:
    for script in sorted((ROOT / "scripts").glob("*.py")):
        if script.name in TWO_STAGES:
            continue
        steps = [m for m in script_modules(script) if m.endswith(".steps")]
        assert len(steps) <= 1, f"{script.name} imports several stages: {steps}"


def test_reader_and_input_output_jobs_import_no_heavy_library() -> None:
    scripts = _jobs("readers") + _jobs("io")
    assert {"read_wiod.py", "read_kof.py", "io_year.py", "tbi.py"} <= {s.name for s in scripts}
    import yaml

    releases = yaml.safe_load((ROOT / "workflow" / "config.yaml").read_text(encoding="utf-8"))["io_releases"]
    readers = {f"tradeimbalance.readers.{r['reader']}" for r in releases.values() if "reader" in r}  # imported by name (importlib)
    modules = sorted({m for s in scripts for m in script_modules(s)} | readers | {"tradeimbalance.readers.va_flows"})
    assert "tradeimbalance.readers.wiod2013" in modules and "tradeimbalance.readers.kof" in modules  # lazy imports are followed
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert loaded == "", f"a reader or input–output job loads {loaded}"


def test_the_joint_test_job_loads_no_estimation_library() -> None:
    """The curve's estimates and joint test are numpy algebra: their job loads neither linearmodels nor statsmodels
    (0.7 s of imports the joint test had paid through the seeded streams' helper, then in the inference module)."""
    modules = script_modules(ROOT / "scripts" / "specification_curve_estimates_and_test.py")
    assert "tradeimbalance.econometrics.curvetest" in modules and "tradeimbalance.econometrics.montecarlo" in modules
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print(','.join(m for m in ('linearmodels', 'statsmodels') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert loaded == "", f"the joint test's job loads {loaded}"
