"""The analyst notebooks: stored without outputs, computations left to the package, and they run.

The two slow tests execute each notebook end to end in a fresh python3 kernel (nbclient) against
the canonical data, writing into a temporary folder, and fail on any cell error.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from customer_segmentation import notebooks as nbtool
from customer_segmentation.config import BACKEND_DIR, ArtifactPaths
from customer_segmentation.pipeline import RunResult

STORED = nbtool.notebook_paths()
# A cell that defines functions, fits models or does its own numerics holds logic that belongs in the package.
FORBIDDEN_IN_CELLS = ("def ", "class ", "lambda", "sklearn", "numpy", "KMeans", "silhouette_score", ".fit(")


def _notebook(tmp_path: Path, *sources: str, name: str = "scratch.ipynb") -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _canonical_env(mall_csv: Path) -> dict[str, str]:
    # An empty SEGMENTATION_NOTEBOOK_DATA means "the canonical data", whatever the caller's shell says.
    return {"MALL_DATA_MIRROR": str(mall_csv.parent), "SEGMENTATION_NOTEBOOK_DATA": ""}


# -- stored form -------------------------------------------------------------------------------------
def test_both_notebooks_are_stored() -> None:
    assert [p.name for p in STORED] == ["preprocessing.ipynb", "modeling.ipynb"]
    assert all(p.is_file() for p in STORED)


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nbtool.cells_with_outputs(nb) == [], f"{path.name} holds outputs: run `make notebooks-strip`"
    assert not [c for c in nb.cells if "execution" in c.metadata]
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_cells_call_the_package_and_markdown_explains_them(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        found = [token for token in FORBIDDEN_IN_CELLS if token in cell.source]
        assert not found, f"{path.name} cell {cell.id!r} holds logic ({found}); move it into the package"
    assert any("customer_segmentation" in c.source for c in code)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    # Never more than two code cells in a row without a word of explanation.
    kinds = "".join("c" if c.cell_type == "code" else "m" for c in nb.cells)
    assert "ccc" not in kinds
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= len(code) // 2 + 1
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged `parameters`"


def test_check_flags_outputs_and_strip_removes_only_them(tmp_path: Path) -> None:
    path = tmp_path / STORED[0].name
    shutil.copy(STORED[0], path)
    nb = nbformat.read(path, as_version=4)
    original_sources = [c.source for c in nb.cells]
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [new_output("stream", name="stdout", text="row data\n")]
    code.execution_count = 3
    code.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nbformat.write(nb, path)

    assert nbtool.main(["check", str(path)]) == 1
    assert nbtool.main(["strip", str(path)]) == 0
    assert nbtool.main(["check", str(path)]) == 0
    stripped = nbformat.read(path, as_version=4)
    assert [c.source for c in stripped.cells] == original_sources
    assert path.read_bytes() == STORED[0].read_bytes()  # stripping restores the stored form exactly
    assert nbtool.strip_file(path) is False


def test_unknown_notebook_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert nbtool.main(["check", "no-such-notebook.ipynb"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# -- the kernel and the runner -----------------------------------------------------------------------
def test_kernel_is_this_venv_python_with_the_given_artifacts_root(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        "import sys; print(sys.executable)",
        "import os; print(os.environ['SEGMENTATION_ARTIFACTS_ROOT'])",
        "from customer_segmentation.config import Settings; print(Settings().artifacts_root)",
    )
    nb = nbtool.execute(path, artifacts_root=tmp_path / "out")
    printed = [c.outputs[0].text.strip() for c in nb.cells]
    assert Path(printed[0]).resolve() == Path(sys.executable).resolve()
    assert printed[1] == printed[2] == str((tmp_path / "out").resolve())
    assert nbtool.cells_with_outputs(nbformat.read(path, as_version=4)) == []  # the file is untouched


def test_a_failing_cell_is_named(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "x = 1", "x / 0", "print('never')")
    with pytest.raises(nbtool.NotebookError, match=r"scratch.ipynb: cell 1 failed: ZeroDivisionError"):
        nbtool.execute(path, artifacts_root=tmp_path)
    assert nbtool.main(["run", str(path), "--artifacts-root", str(tmp_path), "--html-dir", str(tmp_path)]) == 1


def test_run_renders_html_with_the_figures(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        "from matplotlib.figure import Figure\n%matplotlib inline\nfig = Figure()\nfig.subplots().plot([1, 2])\nfig",
    )
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, new_markdown_cell("# A title"))
    nbformat.write(nb, path)
    html_dir = tmp_path / "html"
    assert nbtool.main(["run", str(path), "--artifacts-root", str(tmp_path), "--html-dir", str(html_dir)]) == 0
    html = (html_dir / "scratch.html").read_text(encoding="utf-8")
    assert "A title" in html and html.count('src="data:image/png;base64') == 1


# -- the real notebooks, end to end ------------------------------------------------------------------
def _user_artifacts() -> dict[str, float | None]:
    """Modification times of the user's artifacts in backend/ (None: absent) — they must not move."""
    paths = ArtifactPaths(BACKEND_DIR)
    files = [paths.preprocessed_csv, paths.clustered_csv, paths.model, paths.model_card, paths.summary]
    return {str(p): (p.stat().st_mtime_ns if p.exists() else None) for p in files}


def _executed(name: str, tmp_path: Path, mall_csv: Path) -> nbformat.NotebookNode:
    before = _user_artifacts()
    nb = nbtool.execute(nbtool.NOTEBOOKS_DIR / name, artifacts_root=tmp_path, env=_canonical_env(mall_csv))
    assert _user_artifacts() == before, "the notebook wrote over the user's artifacts"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    return nb


def _images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_preprocessing_notebook_runs_and_writes_what_the_pipeline_writes(
    tmp_path: Path, mall_csv: Path, trained: tuple[ArtifactPaths, RunResult]
) -> None:
    nb = _executed("preprocessing.ipynb", tmp_path, mall_csv)
    assert _images(nb) >= 3  # distributions, pair plot, correlations
    written = ArtifactPaths(tmp_path).reports_dir / "notebooks" / "preprocessed_data.csv"
    assert written.read_bytes() == trained[0].preprocessed_csv.read_bytes()
    quality = trained[1].quality
    assert f"rows read: {quality.rows_in}; rows kept: {quality.rows_out}" in _text(nb)
    html = nbtool.render_html(nb, tmp_path / "preprocessing.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64') == _images(nb)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_modeling_notebook_runs_and_reports_the_pipeline_decision(
    tmp_path: Path, mall_csv: Path, trained: tuple[ArtifactPaths, RunResult]
) -> None:
    nb = _executed("modeling.ipynb", tmp_path, mall_csv)
    result = trained[1]
    text = _text(nb)
    assert f"decision: {result.selection.reason}" in text
    assert "k=4 was pinned by the user" in text
    assert _images(nb) >= 6  # silhouette/CH/DB, elbow, knives, 2D, 3D, side by side
    assert not any(ArtifactPaths(tmp_path).models_dir.glob("*.pkl"))  # modelling writes no model
