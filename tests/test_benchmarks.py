"""Smoke tests of the benchmark code itself (benchmarks/, run by `make bench`): small and fast.

They check that the measuring code works (sliders timed in a real kernel, the
BPTT comparison with torch agreeing on gradients, the table), not that the
series is fast: that is what `make bench` reports.
"""
from __future__ import annotations

import importlib.util
import sys

import ipywidgets as widgets
import pytest

from conftest import NOTEBOOKS_DIR, ROOT

if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import __main__ as cli  # noqa: E402
from benchmarks import adding, bptt, notebooks, probe, report  # noqa: E402

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_LSTM = importlib.util.find_spec("helpers.lstm") is not None
HAS_ADDING = importlib.util.find_spec("helpers.adding") is not None


@pytest.mark.parametrize("make_widget", [
    lambda: widgets.FloatSlider(min=0.5, max=1.5, step=0.01, value=0.9),
    lambda: widgets.IntSlider(min=1, max=3, value=2),
    lambda: widgets.FloatLogSlider(base=10, min=-3, max=0, step=0.1, value=0.01),
    lambda: widgets.ToggleButtons(options=["tanh", "relu", "linear"], value="relu"),
    lambda: widgets.Checkbox(value=False),
])
def test_sweep_changes_the_value_every_time_within_range(make_widget):
    w = make_widget()
    values = probe._sweep_values(w, 10)
    assert len(values) == 10
    previous = w.value
    for v in values:
        assert v != previous
        previous = v
        if hasattr(w, "options"):
            assert v in w.options
        elif isinstance(w, widgets.FloatLogSlider):
            assert 10 ** w.min * 0.999 <= v <= 10 ** w.max * 1.001
        elif not isinstance(w, widgets.Checkbox):
            assert w.min <= v <= w.max


@pytest.mark.slow
def test_slider_timing_in_a_real_kernel_on_the_start_notebook():
    result = notebooks.run_notebook(NOTEBOOKS_DIR / "00_start_here.ipynb", n_changes=3)
    assert result["ok"], result["error"]
    assert result["seconds"] > 0 and result["kernel_start_seconds"] > 0
    assert result["sliders"], "the start notebook's demo was not found"
    row = result["sliders"][0]
    assert row["label"] == "w" and row["changes"] == 3 and row["errors"] == 0
    assert row["panels"] == 1 and row["retrains"] is False and row["target_ms"] == 50.0
    assert row["median_ms"] > 0 and row["update_median_ms"] > 0


@pytest.mark.slow
def test_a_failing_notebook_is_reported_not_raised(tmp_path):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("assert x == 2, 'broken on purpose'")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, str(path))
    result = notebooks.run_notebook(path, sliders=False)
    assert not result["ok"] and "cell 1" in result["error"] and "broken on purpose" in result["error"]


def test_tiny_bptt_grid_times_numpy_and_compares_with_torch_when_present():
    section = bptt.run(grid=((4,), (3,), (2,)), budget=0.01, log=lambda msg: None)
    for dtype in bptt.DTYPES:
        r = section["results"][bptt.key("rnn", 4, 3, 2, dtype)]
        assert r["numpy_ms"] > 0, r
        if HAS_TORCH:
            assert r["gradients_agree"], r
            assert r["ratio"] > 0
    if not HAS_TORCH:
        assert "torch" in section["skipped"]


@pytest.mark.skipif(not (HAS_TORCH and HAS_LSTM), reason="needs torch and helpers.lstm")
def test_lstm_maps_onto_torch_lstm_with_matching_gradients():
    import torch
    from helpers import lstm
    assert "".join(bptt.TORCH_GATES[s] for s in bptt.find_gate_order(torch, lstm)) == "ifgo"
    section = bptt.run(grid=((5,), (4,), (3,)), budget=0.01, log=lambda msg: None, models=("lstm",))
    assert all(r["gradients_agree"] for r in section["results"].values()), section["results"]


@pytest.mark.slow
def test_training_run_in_a_child_process_reports_errors_and_memory():
    r = adding.run_one("no-such-model", 10, 0, timeout=60)
    if not HAS_ADDING:
        assert "helpers.adding" in r["error"] or "adding" in r["error"]
        return
    assert "model must be one of" in r["error"]
    r = adding.run_one("lstm", 10, 0, timeout=120, max_iterations=3, eval_size=8)
    assert "error" not in r, r
    assert r["iterations"] == 3 and 10 < r["peak_rss_mb"] < 2000


def test_report_and_command_line():
    results = {
        "machine": {}, "slider_details": {"00_x:w": {"notebook": "00_x", "label": "w", "demo": "d", "panels": 2,
                                                     "retrains": False, "changes": 10, "median_ms": 160.0,
                                                     "max_ms": 200.0, "target_ms": 150.0, "errors": 0}},
        "notebook_seconds": {"00_x": 1.0, "01_y": None}, "total_seconds": 1.0,
        "notebook_details": {"00_x": {"ok": True, "seconds": 1.0}, "01_y": {"ok": False, "error": "boom"}},
        "peak_rss_mb": 90.0,
    }
    results["checks"] = report.checks(results)
    verdicts = {c["check"]: c["ok"] for c in results["checks"]}
    assert verdicts["slider 00_x:w"] is False and verdicts["notebook 01_y executes"] is False
    assert verdicts["peak RSS of LSTM training (T=100)"] is True
    text = report.render(results)
    assert "MISS" in text and "FAILED: boom" in text
    with pytest.raises(SystemExit):
        cli.main(["--only", "nonsense"])
