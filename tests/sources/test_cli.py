"""The peel ingest commands: what they say when a load cannot go ahead, and what they import."""


import pytest
from tests.conftest import JOB_PURPOSE
from tests.warehouse.holder import warehouse_held_open
from typer.testing import CliRunner

from peel.cli import app
from peel.settings import get_settings
from peel.sources.mapped import MAPPINGS_DIR
from peel.warehouse import connect


@pytest.mark.parametrize(
    "command",
    [
        ["police-uk", "2021-01-hertfordshire-street.csv"],
        ["mapped", "custody.csv", "--mapping", str(MAPPINGS_DIR / "demo_custody.yaml"), *JOB_PURPOSE],
    ],
)
def test_ingest_says_the_warehouse_is_in_use(peel_home, service_job, command):
    connect().close()
    with warehouse_held_open(get_settings().warehouse_path):
        result = CliRunner().invoke(app, ["ingest", *command])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert f"peel ingest {command[0]} failed: The warehouse" in output
    assert "is in use by another process" in output and "IO Error" not in output



def test_ingest_mapped_says_which_line_of_a_malformed_mapping_is_wrong(peel_home, service_job, tmp_path):
    mapping = tmp_path / "custody.yaml"
    mapping.write_text(
        "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\nvehicles: [v]\n",
        encoding="utf-8",
    )
    extract = tmp_path / "custody.csv"
    extract.write_text("id,s,v\n1,Ames,AB12CDE\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", "mapped", str(extract), "--mapping", str(mapping), *JOB_PURPOSE])
    output = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert f"{mapping} line 5: vehicles must be a mapping" in output
    assert result.exception is None or isinstance(result.exception, SystemExit)
