"""`make install` (behind `make run` and `make test`): both installers create a working venv.

The project is installed without its dependencies here (INSTALL_FLAGS=--no-deps) so the test
checks each path's steps in seconds; the suite itself runs in a venv the full install made."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_make_install_creates_the_venv_with_each_installer(installer, tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"
    done = subprocess.run(["make", "install", f"VENV={venv}", f"INSTALLER={installer}", "INSTALL_FLAGS=--no-deps"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"installing with {installer}" in done.stdout
    assert (venv / ".installed").is_file()
    shown = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "show", "automana"],
                           capture_output=True, text=True)
    assert "Editable project location: " + str(PROJECT_ROOT) in shown.stdout
    # A second run is a no-op: the stamp is newer than pyproject.toml.
    again = subprocess.run(["make", "install", f"VENV={venv}"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert again.returncode == 0 and "installing" not in again.stdout
