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


def test_run_reports_an_unexpected_error_in_one_line_and_keeps_the_traceback_private(
        peel_home, monkeypatch, capsys):
    import pytest

    from peel import cli

    def crash():
        raise KeyError("Jane Doe, 1980-01-01")  # a value from data: must not reach the screen

    monkeypatch.setattr(cli, "app", crash)
    with pytest.raises(SystemExit) as exit_:
        cli.run()
    assert exit_.value.code == 1
    said = capsys.readouterr().err
    assert "peel stopped on an error it did not expect (KeyError)" in said
    assert "Traceback" not in said and "Jane Doe" not in said
    [report] = (peel_home / "logs").glob("crash-*.txt")
    assert report.stat().st_mode & 0o777 == 0o600
    assert "Jane Doe" in report.read_text() and "Traceback" in report.read_text()
