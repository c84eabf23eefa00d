"""The ``peel`` command as a whole."""

import subprocess
import sys


def test_importing_the_commands_leaves_every_engine_unloaded():
    # Every 'peel' command, --help included, imports peel.cli and so every capability's command
    # module: the generators, statistics, linkage and PDF engines and the web server wait for the
    # command that uses them.
    heavy = ["pandas", "numpy", "pyarrow", "faker", "holidays", "scipy", "statsmodels", "weasyprint",
             "vl_convert", "fastapi", "starlette", "uvicorn"]
    check = f"import sys, peel.cli; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
