"""Roles are data: the file loads, typos are refused, and the docs describe every role."""

from __future__ import annotations

from pathlib import Path

import pytest

from peel.casebook.errors import InvalidInput
from peel.casebook.roles import get_role, load_roles

DOCS = Path(__file__).resolve().parents[2] / "docs" / "casebook.md"


def test_load_roles_reads_every_role_with_a_title_and_a_job():
    roles = load_roles()
    assert "administrator" in roles and "auditor" in roles
    assert all(role.title and role.job for role in roles.values())


def test_load_roles_refuses_an_unknown_action(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("clerk:\n  title: Clerk\n  job: Files things.\n  may:\n    read_everything: '*'\n")
    with pytest.raises(ValueError, match="clerk grants unknown action 'read_everything'"):
        load_roles(path)


def test_load_roles_refuses_an_unknown_domain(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("clerk:\n  title: Clerk\n  job: Files things.\n  may:\n    read_personal: [parking]\n")
    with pytest.raises(ValueError, match="unknown domains"):
        load_roles(path)


def test_the_casebook_docs_describe_every_role():
    text = DOCS.read_text()
    missing = [name for name in load_roles() if f"`{name}`" not in text]
    assert not missing, f"docs/casebook.md does not describe the roles {missing}"


def test_get_role_refuses_an_unknown_role_naming_the_roles_file():
    with pytest.raises(InvalidInput, match=r"Unknown role 'chief'\. The roles are: .*auditor.*roles\.yaml"):
        get_role("chief")
