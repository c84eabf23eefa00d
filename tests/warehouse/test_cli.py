"""peel status and peel quarantine: what is loaded, what a load refused."""

import typer
from tests.warehouse.holder import warehouse_held_open
from typer.testing import CliRunner

from peel.settings import get_settings
from peel.warehouse import connect
from peel.warehouse.cli import register

# The warehouse commands on their own root, as peel.cli registers them.
app = typer.Typer()
app.callback()(lambda: None)
register(app)


def test_status_and_quarantine_say_the_warehouse_is_in_use(peel_home):
    connect().close()
    with warehouse_held_open(get_settings().warehouse_path):
        results = [CliRunner().invoke(app, [command]) for command in ("status", "quarantine")]
    for result in results:
        assert result.exit_code == 2, result.output
        assert "is in use by another process" in " ".join(result.output.split())
        assert "Traceback" not in result.output
