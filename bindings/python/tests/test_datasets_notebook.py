"""Executes bindings/python/examples/quickstart.ipynb with nbclient (kernel python3 from this
interpreter's ipykernel, cwd = the notebook's folder, 120 s per cell) so the notebook cannot rot."""

from __future__ import annotations

import os
import sys

import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import HF_ONLY, REPO

NOTEBOOK = REPO / "bindings" / "python" / "examples" / "quickstart.ipynb"

pytestmark = pytest.mark.skipif(HF_ONLY, reason="the notebook uses tokenmill: skipped with TOKENMILL_DS_IMPL=hf")


def test_quickstart_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager

    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    # the kernel must be this interpreter (the venv with tokenmill installed), whatever kernelspecs
    # the machine has: point python3 at sys.executable
    env = dict(os.environ)
    env.setdefault("TOKENMILL_CACHE", str(tmp_path / "tm-cache"))
    env["HF_HUB_OFFLINE"] = "1"
    env["HF_DATASETS_OFFLINE"] = "1"
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")

    class _KSM(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            spec = super().get_kernel_spec(kernel_name)
            spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return spec

    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3", kernel_spec_manager=_KSM())
    client = nbclient.NotebookClient(
        nb,
        km=km,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    old = dict(os.environ)
    os.environ.update(env)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    # every code cell ran, in this interpreter
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert km.kernel_spec.argv[0] == sys.executable
