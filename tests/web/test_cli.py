"""``peel serve``, run as a user would: it prints the address, serves, and Ctrl-C stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.error import URLError

from typer.testing import CliRunner

from peel.cli import app


def get_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_prints_the_address_serves_and_stops_on_ctrl_c(peel_home):
    port = get_free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from peel.cli import app; app()", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ | {"PEEL_HOME": str(peel_home)},
    )
    try:
        assert server.stdout.readline().strip() == f"peel is serving on http://127.0.0.1:{port}/ (Ctrl-C stops it)"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in") as response:
                    status, page = response.status, response.read().decode("utf-8")
                break
            except URLError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.1)
        assert status == 200 and "Sign in to peel" in page
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_help_shows_host_and_port():
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "127.0.0.1" in result.output
    assert "--port" in result.output and "8000" in result.output


def test_serve_refuses_an_identity_providers_file_it_cannot_use(peel_home, tmp_path):
    providers = tmp_path / "providers.yaml"
    providers.write_text("chalkshire:\n  title: Chalkshire Police account\n")
    result = CliRunner().invoke(app, ["serve"], env={"PEEL_IDENTITY_PROVIDERS": str(providers),
                                                     "COLUMNS": "250"})
    assert result.exit_code == 2
    assert f"{providers}, provider 'chalkshire': issuer is missing" in result.output
    assert "Traceback" not in result.output
