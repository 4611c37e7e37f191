import uuid

from accord.auth import credentials
from accord.auth.principal import Principal
from accord.identity.api_keys import principal_for_secret
from hypothesis import given
from hypothesis import strategies as st


def test_secret_format_round_trip():
    kid = credentials.new_key_id()
    secret = credentials.new_secret(kid)
    assert credentials.key_id_of(secret) == kid
    assert credentials.format_key_id(kid) == str(uuid.UUID(hex=kid))
    assert credentials.key_id_of(secret + "x") is None
    assert credentials.hash_secret(secret) != credentials.hash_secret(credentials.new_secret(kid))


def test_header_spellings_and_precedence():
    s = "acc_x"
    assert credentials.secret_from_headers({"Authorization": f"Bearer {s}"}) == s
    assert credentials.secret_from_headers({"authorization": f"bearer   {s} "}) == s
    assert credentials.secret_from_headers({"X-Api-Key": s}) == s
    assert credentials.secret_from_headers({"dagster-cloud-api-token": s}) == s
    assert credentials.secret_from_headers({"X-TLM-KEY": s}) == s
    assert credentials.secret_from_headers({"Authorization": "Basic Zm9v", "X-API-Key": s}) == s
    assert credentials.secret_from_headers({"Authorization": "Bearer "}) is None
    assert credentials.secret_from_headers({}) is None and credentials.secret_from_headers(None) is None


@given(st.builds(Principal, tenant=st.text(min_size=1), key_id=st.text(min_size=1), name=st.text(),
                 email=st.none() | st.text(min_size=1), scopes=st.frozensets(st.sampled_from(["read", "write", "admin"])),
                 team_id=st.none() | st.text(min_size=1),
                 project_roles=st.dictionaries(st.from_regex(r"\d{1,4}", fullmatch=True),
                                               st.sampled_from(["PROJECT_VIEWER", "PROJECT_EDITOR"])),
                 platform_admin=st.booleans()))
def test_principal_survives_the_authorizer_context(p):
    ctx = p.to_context()
    assert all(isinstance(v, str) for v in ctx.values())  # API Gateway carries strings only
    assert Principal.from_context(ctx) == p


def test_scope_implication():
    p = Principal(tenant="t", key_id="k", scopes=frozenset({"write"}))
    assert p.has("read") and p.has("write") and not p.has("admin")
    assert Principal(tenant="t", key_id="k", scopes=frozenset({"admin"})).has("write")
    assert not Principal(tenant="t", key_id="k", scopes=frozenset({"read"})).has("write")


def test_principal_for_secret_rejects_without_lookup_when_malformed():
    calls = []
    assert principal_for_secret("garbage", record_lookup=lambda k: calls.append(k)) is None
    assert calls == []
    secret = credentials.new_secret(credentials.new_key_id())
    record = {"id": "x", "tenant": "t", "key_hash": credentials.hash_secret(secret), "scopes": ["read"]}
    assert principal_for_secret(secret, record_lookup=lambda k: record).tenant == "t"
    assert principal_for_secret(secret, record_lookup=lambda k: {**record, "revoked_at": "2020"}) is None
    assert principal_for_secret(secret, record_lookup=lambda k: {**record, "key_hash": "0" * 64}) is None
