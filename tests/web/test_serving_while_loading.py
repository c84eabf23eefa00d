"""Serving while a load writes: a load in another process publishes a new warehouse
generation; every page meanwhile is served from the one before, never with an error, and
names the snapshot it shows."""

import os
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from tests.conftest import POLICE_UK_ZIP
from tests.web.conftest import get_username, sign_in

from peel.warehouse import connect
from peel.web.app import create_app

SRC = Path(__file__).resolve().parents[2] / "src"


def test_start_page_is_served_throughout_an_ingest_and_then_shows_its_data(web_settings):
    connect().close()  # an empty warehouse, as before a force's first load
    app = create_app(web_settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        sign_in(client, get_username("performance_analyst"))
        first = client.get("/")
        assert "warehouse generation 0" in first.text and "0 loads" in first.text
        env = os.environ | {"PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
        load = subprocess.Popen(
            [sys.executable, "-c", "from peel.cli import app; app()", "ingest", "police-uk", str(POLICE_UK_ZIP)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        pages = []
        while load.poll() is None:
            pages.append(client.get("/"))
            time.sleep(0.02)
        output = load.stdout.read()
        assert load.returncode == 0, output
        after = client.get("/")
    during = [page for page in pages if page.status_code != 200 or "busy" in page.text or "in use" in page.text]
    assert len(pages) > 10 and during == [], f"{len(during)} of {len(pages)} pages failed during the load"
    assert any("warehouse generation 0" in page.text for page in pages), "served from the old one meanwhile"
    assert after.status_code == 200
    assert "warehouse generation 1" in after.text and "1 loads, the latest batch 1" in after.text
    with connect(read_only=True) as con:
        force = con.execute("SELECT area_name FROM area WHERE level = 'force'").fetchone()[0]
    assert force in after.text and force not in first.text
