"""Execute the notebooks in notebooks/ end to end and check what they show.

The notebooks are the documentation researchers run first, and they run what a
researcher runs: the shipped models with the real embedding model (notebooks 1-3 about
two minutes together on a laptop CPU; notebook 4 also retrains on the corpus, 1.6
minutes on a shared 2-core machine, 4.6 at load average 16). So executing them is
marked ``slow`` (``make test-slow``); the fast suite checks they are stored clean. They
run offline (``HF_HUB_OFFLINE=1``) and without a display (``MPLBACKEND=Agg``; the
plotting cell switches to the inline backend itself), in a kernel named ``python3``
started with the repository root as working directory. Nothing is written to the
repository: notebook 2 writes its report to a temporary folder and the executed
notebooks are not saved.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook tests need the dev extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="notebook tests need the dev extra (nbclient)")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 600
KERNEL = "python3"


def _execute(name: str, monkeypatch: pytest.MonkeyPatch):
    """Run ``notebooks/<name>`` top to bottom; return the executed notebook."""
    # The kernel process inherits this environment.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    # An uninstalled checkout imports the package from the repository root.
    pythonpath = os.environ.get("PYTHONPATH", "")
    if str(ROOT) not in pythonpath.split(os.pathsep):
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), pythonpath) if p))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(ROOT)}},
        allow_errors=False,
    )
    client.execute()
    return nb


def _errors(nb) -> list[str]:
    return [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def _text(nb) -> str:
    """All stream and text/plain outputs of the executed notebook, concatenated."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif "data" in out:
                parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def _images(nb) -> int:
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def test_notebooks_are_stored_without_outputs():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert names == [
        "01-quickstart.ipynb",
        "02-compare-prisons.ipynb",
        "03-your-own-taxonomy.ipynb",
        "04-validate-and-retrain.ipynb",
    ]
    for name in names:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == KERNEL
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name


@pytest.mark.slow
def test_quickstart(monkeypatch):
    nb = _execute("01-quickstart.ipynb", monkeypatch)
    assert _errors(nb) == []
    text = _text(nb)
    assert "read: 21 concerns" in text
    assert "HMP Stafford" in text
    assert "5.18 and 5.19 missing" in text
    assert "21 of 23 stated concerns found" in text
    assert "SMART score" in text and "'T':" in text


@pytest.mark.slow
def test_compare_prisons(monkeypatch):
    nb = _execute("02-compare-prisons.ipynb", monkeypatch)
    assert _errors(nb) == []
    text = _text(nb)
    assert "Analysis(4 plans, 53 concerns" in text
    assert "4 prisons compared" in text
    assert "report.html" in text
    assert _images(nb) >= 4, "the four plots should display inline"
    # The report went to a temporary folder, not into the repository.
    assert not (ROOT / "notebooks" / "out").exists()


@pytest.mark.slow
def test_your_own_taxonomy(monkeypatch):
    nb = _execute("03-your-own-taxonomy.ipynb", monkeypatch)
    assert _errors(nb) == []
    text = _text(nb)
    assert "16 hand-labelled concerns, 37 left to tag" in text
    assert "threshold 0.3 margin 0.05" in text
    assert "same labels on" in text


@pytest.mark.slow
def test_validate_and_retrain(monkeypatch):
    nb = _execute("04-validate-and-retrain.ipynb", monkeypatch)
    assert _errors(nb) == []
    text = _text(nb)
    assert "sampled 24 items" in text and "wrote coding.xlsx and coding.csv" in text
    assert "coded 24 items into coded.xlsx" in text
    assert "theme: macro kappa" in text and "smart: macro kappa" in text
    assert "prisons: ['littlehey', 'peterborough']" in text
    assert "verified: ['owners-v1', 'smart-v1', 'themes-v1']" in text
    assert "Models(themes-v1, owners-v1, smart-v1 pinned, verified in" in text
