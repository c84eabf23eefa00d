"""The single sign-on providers' file: read in order, and refused with a message that says
which provider and what to change."""

from __future__ import annotations

import pytest

from peel.casebook.identity_providers import (
    IdentityProvider,
    IdentityProvidersError,
    load_identity_providers,
)

STAFF = """\
chalkshire:
  title: Chalkshire Police account
  issuer: https://login.chalkshire.police.uk/realms/staff
  client_id: peel
  client_secret: s3cret
partner-force:
  title: Partner force account
  issuer: http://127.0.0.1:9400
  client_id: peel-partner
  client_secret: other
"""


def write(tmp_path, text: str):
    path = tmp_path / "identity-providers.yaml"
    path.write_text(text)
    return path


def test_load_identity_providers_reads_each_provider_in_order(tmp_path):
    providers = load_identity_providers(write(tmp_path, STAFF))
    assert list(providers) == ["chalkshire", "partner-force"]
    assert providers["chalkshire"] == IdentityProvider(
        name="chalkshire", title="Chalkshire Police account",
        issuer="https://login.chalkshire.police.uk/realms/staff", client_id="peel", client_secret="s3cret")
    assert providers["chalkshire"].discovery_url == \
        "https://login.chalkshire.police.uk/realms/staff/.well-known/openid-configuration"


def test_load_identity_providers_reads_a_public_client_without_a_secret(tmp_path):
    providers = load_identity_providers(write(tmp_path, STAFF.replace("  client_secret: s3cret\n", "")))
    assert providers["chalkshire"].client_secret is None
    assert providers["chalkshire"].token_endpoint_auth_method == "none"
    assert providers["partner-force"].token_endpoint_auth_method == "client_secret_basic"


def test_load_identity_providers_offers_none_without_a_file(tmp_path):
    assert load_identity_providers(tmp_path / "identity-providers.yaml") == {}
    assert load_identity_providers(write(tmp_path, "# none yet\n")) == {}


@pytest.mark.parametrize(("text", "message"), [
    ("local:\n  title: x\n", "provider 'local': a provider's name is 1-40 lower-case letters"),
    ("Chalkshire:\n  title: x\n", "provider 'Chalkshire': a provider's name"),
    ("chalkshire: https://login.example\n", "provider 'chalkshire': expected its title, issuer"),
    (STAFF.replace("  client_id: peel\n", ""), "provider 'chalkshire': client_id is missing"),
    (STAFF.replace("client_secret: s3cret", "client_secret: ''"),
     "provider 'chalkshire': client_secret is missing (expected text). Leave it out for a public client."),
    (STAFF.replace("client_id: peel\n", "clientid: peel\n"),
     "provider 'chalkshire': unknown field 'clientid'; the fields are title, issuer, client_id"),
    (STAFF.replace("https://login", "http://login"), "provider 'chalkshire': issuer 'http://login"),
    (STAFF.replace("/realms/staff", "/realms/staff?x=1"), "is not an https address"),
    ("- chalkshire\n", "expected a mapping of provider names"),
    ("chalkshire: [\n", "not valid YAML: while parsing a flow node"),
])
def test_load_identity_providers_refuses_a_file_it_cannot_use(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(IdentityProvidersError) as refusal:
        load_identity_providers(path)
    assert str(refusal.value).startswith(str(path))
    assert message in str(refusal.value)
