"""Every environment variable is read in settings.py and listed in the README."""

import re
from pathlib import Path

import peel
from peel.settings import VARIABLES, get_settings

PACKAGE = Path(peel.__file__).parent
README = PACKAGE.parents[1] / "README.md"
READS_ENVIRONMENT = re.compile(r"os\.environ|getenv|envvar\s*=")


def test_only_settings_reads_the_environment():
    readers = [
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if path.name != "settings.py" and READS_ENVIRONMENT.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_every_variable_is_in_the_readme_table():
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in VARIABLES if f"| `{name}` |" not in readme]
    assert missing == []


def test_every_variable_peel_mentions_is_declared():
    mentioned = set()
    for path in PACKAGE.rglob("*.py"):
        mentioned |= set(re.findall(r"\bPEEL_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert mentioned - set(VARIABLES) == set()


def test_get_settings_reads_each_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("PEEL_HOME", str(tmp_path))
    monkeypatch.setenv("PEEL_USER", "a.analyst")
    monkeypatch.delenv("PEEL_SPARK_MASTER", raising=False)
    monkeypatch.setenv("SPARK_MASTER", "spark://cluster:7077")
    settings = get_settings()
    assert settings.home == tmp_path
    assert settings.casebook_url == f"sqlite:///{tmp_path / 'casebook.sqlite'}"
    assert settings.user == "a.analyst"
    assert settings.spark_master == "spark://cluster:7077"
