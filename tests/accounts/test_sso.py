"""Logging in through an organisation's own OpenID Connect provider (accounts.sso, accounts.oidc,
web.console.sso), end to end against a local provider over real HTTP (tests/fakes/oidc.py)."""

from __future__ import annotations

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from balie.accounts.actions import do_set_membership
from balie.accounts.models import ExternalIdentity, Membership, Role, SingleSignOn, User
from balie.accounts.sso import SsoConfigError, do_configure_sso, do_link_identity
from balie.accounts.twofactor import SESSION_KEY
from balie.archive.models import AuditEntry
from tests.conftest import PASSWORD
from tests.fakes.oidc import FakeOidc

CALLBACK = "http://testserver/console/login/callback/"
UTRECHT_MAP = [("kcc-teamleider", Role.SUPERVISOR), ("kcc-medewerker", Role.AGENT)]


@pytest.fixture
def idp():
    with FakeOidc() as fake:
        yield fake
        assert fake.violations == []


def configure(organisation, idp, client_id, **options):
    idp.add_client(client_id, f"secret-of-{client_id}", CALLBACK)
    settings = {
        "issuer": idp.issuer,
        "client_id": client_id,
        "client_secret": f"secret-of-{client_id}",
        "display_name": "Keycloak",
        "roles_claim": "roles",
        "role_map": UTRECHT_MAP,
        **options,
    }
    return do_configure_sso(organisation, **settings)


@pytest.fixture
def utrecht_sso(utrecht, idp):
    return configure(utrecht, idp, "balie-utrecht")


def sso_login(client: Client, slug: str, *, callback_client: Client | None = None):
    """Click "log in with …", let the provider answer, and follow it back to Balie."""
    start = client.get(f"/console/login/sso/{slug}/?next=/console/")
    assert start.status_code == 302, start
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    return (callback_client or client).get(back.removeprefix("http://testserver"))


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def refusal_code(response) -> str:
    html = response.content.decode()
    marker = 'data-code="'
    assert marker in html, html
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_login_page_offers_each_organisations_provider(client, utrecht_sso):
    page = client.get("/console/login/")
    assert page.status_code == 200
    assert b'id="sso-utrecht"' in page.content
    assert b"/console/login/sso/utrecht/" in page.content


def test_first_login_makes_the_user_with_the_mapped_role(client, utrecht, utrecht_sso, idp):
    idp.login("kc-1", roles=["kcc-medewerker"], given_name="Sanne", preferred_username="sanne")
    response = sso_login(client, "utrecht")
    assert response.status_code == 302 and response["Location"] == "/console/"
    user = logged_in_user(client)
    assert user is not None and user.first_name == "Sanne" and user.username == "sanne"
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=utrecht).role == Role.AGENT
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (idp.issuer, "kc-1")
    assert client.get("/console/")["Location"] == "/console/utrecht/"
    login = AuditEntry.objects.get(action="staff.login", actor=user)
    assert login.detail == {"method": "sso", "through": utrecht.pk}
    assert idp.calls == ["discovery", "authorize", "token", "jwks"]


def test_the_client_secret_is_sealed_and_sent_to_the_token_endpoint(client, utrecht_sso, idp):
    stored = SingleSignOn.objects.get(pk=utrecht_sso.pk).client_secret
    assert "secret-of-balie-utrecht" not in stored
    idp.login("kc-1", roles=["kcc-medewerker"])
    assert sso_login(client, "utrecht").status_code == 302
    assert idp.token_auth == ["basic"]


def test_the_role_follows_the_claims_at_each_login(utrecht, utrecht_sso, idp):
    idp.login("kc-1", roles=["kcc-medewerker"])
    sso_login(Client(), "utrecht")
    idp.login("kc-1", roles=["kcc-medewerker", "kcc-teamleider"])  # the first mapped pair wins
    client = Client()
    sso_login(client, "utrecht")
    user = logged_in_user(client)
    assert User.objects.count() == 1
    assert Membership.objects.get(user=user, organisation=utrecht).role == Role.SUPERVISOR


def test_claims_without_a_mapped_role_refuse_and_remove_the_membership(utrecht, utrecht_sso, idp):
    idp.login("kc-1", roles=["kcc-medewerker"])
    sso_login(Client(), "utrecht")
    user = User.objects.get()
    idp.login("kc-1", roles=["ex-medewerker"])
    client = Client()
    response = sso_login(client, "utrecht")
    assert response.status_code == 403
    assert refusal_code(response) == "sso_no_role"
    assert logged_in_user(client) is None
    assert not Membership.objects.filter(user=user).exists()
    refused = AuditEntry.objects.get(action="staff.login_refused")
    assert refused.detail == {"code": "sso_no_role"} and refused.organisation_id == utrecht.pk


def test_a_first_login_without_a_role_makes_no_user(client, utrecht_sso, idp):
    idp.login("kc-2", groups=["kcc-medewerker"])  # in another claim than the mapped one
    response = sso_login(client, "utrecht")
    assert refusal_code(response) == "sso_no_role"
    assert not User.objects.exists() and not Membership.objects.exists()


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("signature", "sso_bad_signature"),
        ("audience", "sso_wrong_audience"),
        ("issuer", "sso_wrong_issuer"),
        ("expired", "sso_expired"),
        ("nonce", "sso_bad_nonce"),
    ],
)
def test_a_token_that_does_not_check_out_is_refused(client, utrecht_sso, idp, tamper, code):
    idp.login("kc-1", tamper=tamper, roles=["kcc-medewerker"])
    response = sso_login(client, "utrecht")
    assert response.status_code == 403
    assert refusal_code(response) == code
    assert logged_in_user(client) is None
    assert not User.objects.exists()


def test_an_answer_to_another_browsers_login_is_refused(utrecht_sso, idp):
    idp.login("kc-1", roles=["kcc-medewerker"])
    victim = Client()
    response = sso_login(Client(), "utrecht", callback_client=victim)  # a planted callback
    assert refusal_code(response) == "sso_bad_state"
    assert logged_in_user(victim) is None


def test_a_changed_state_is_refused(client, utrecht_sso, idp):
    idp.login("kc-1", roles=["kcc-medewerker"])
    start = client.get("/console/login/sso/utrecht/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    forged = back.split("&state=")[0] + "&state=made-up"
    response = client.get(forged.removeprefix("http://testserver"))
    assert refusal_code(response) == "sso_bad_state"
    assert logged_in_user(client) is None


def test_a_cancelled_login_is_shown_as_such(client, utrecht_sso):
    client.get("/console/login/sso/utrecht/")
    state = next(iter(client.session["oidc_states"]))
    response = client.get(f"/console/login/callback/?error=access_denied&state={state}")
    assert refusal_code(response) == "sso_cancelled"


def test_the_code_is_used_once(client, utrecht_sso, idp):
    idp.login("kc-1", roles=["kcc-medewerker"])
    start = client.get("/console/login/sso/utrecht/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    assert client.get(back.removeprefix("http://testserver")).status_code == 302
    replay = Client().get(back.removeprefix("http://testserver"))
    assert refusal_code(replay) == "sso_bad_state"


def test_claims_from_the_userinfo_endpoint(utrecht, idp):
    configure(utrecht, idp, "balie-utrecht", claims_from_userinfo=True)
    idp.login("kc-7", roles=["kcc-teamleider"])
    client = Client()
    assert sso_login(client, "utrecht").status_code == 302
    assert idp.calls[-1] == "userinfo"
    assert Membership.objects.get(user=logged_in_user(client)).role == Role.SUPERVISOR


def test_password_login_can_be_switched_off_per_organisation(
    utrecht, groningen, idp, agent_anna, agent_gerrit
):
    configure(utrecht, idp, "balie-utrecht", password_login=False)
    refused = Client().post("/console/login/", {"username": "agent_anna", "password": PASSWORD})
    assert refused.status_code == 200 and refused.context["form"].errors  # as a wrong password
    groningen_client = Client()
    allowed = groningen_client.post(
        "/console/login/", {"username": "agent_gerrit", "password": PASSWORD}
    )
    assert allowed.status_code == 302 and logged_in_user(groningen_client) == agent_gerrit
    # someone in both organisations: the stricter rule applies
    do_set_membership(agent_gerrit, utrecht, Role.AGENT)
    again = Client().post("/console/login/", {"username": "agent_gerrit", "password": PASSWORD})
    assert again.status_code == 200


def test_one_organisations_provider_grants_nothing_in_another(utrecht, groningen, idp):
    configure(utrecht, idp, "balie-utrecht")
    configure(groningen, idp, "balie-groningen", role_map=[("kcc-medewerker", Role.AGENT)])
    idp.login("same-person", roles=["kcc-medewerker", "kcc-teamleider"])
    through_utrecht = Client()
    sso_login(through_utrecht, "utrecht")
    idp.login("same-person", roles=["kcc-medewerker"])
    through_groningen = Client()
    sso_login(through_groningen, "groningen")
    utrecht_user, groningen_user = (
        logged_in_user(through_utrecht),
        logged_in_user(through_groningen),
    )
    assert utrecht_user != groningen_user  # an identity is its organisation's only
    assert list(Membership.objects.filter(user=utrecht_user).values_list("organisation", "role"))[
        0
    ] == (utrecht.pk, Role.SUPERVISOR)
    assert list(
        Membership.objects.filter(user=groningen_user).values_list("organisation", flat=True)
    ) == [groningen.pk]


def test_a_token_for_another_organisations_client_is_refused(utrecht, groningen, idp):
    """Groningen's login, answered with a token made out to Utrecht's client."""
    configure(utrecht, idp, "balie-utrecht")
    configure(groningen, idp, "balie-groningen")
    idp.login("kc-1", roles=["kcc-medewerker"], aud="balie-utrecht")
    client = Client()
    response = sso_login(client, "groningen")
    assert response.status_code == 403
    assert refusal_code(response) == "sso_wrong_audience"
    assert not Membership.objects.exists()


def test_an_existing_account_can_be_linked(client, utrecht, utrecht_sso, idp, agent_anna):
    do_link_identity(utrecht, agent_anna, "kc-anna")
    idp.login("kc-anna", roles=["kcc-teamleider"])
    sso_login(client, "utrecht")
    assert logged_in_user(client) == agent_anna
    assert Membership.objects.get(user=agent_anna).role == Role.SUPERVISOR


def test_the_providers_mfa_counts_only_where_the_organisation_trusts_it(
    utrecht, idp, two_factor_enforced
):
    admin_map = [("balie-beheer", Role.ADMIN)]
    configure(utrecht, idp, "balie-utrecht", role_map=admin_map, trust_idp_mfa=True)
    idp.login("kc-9", roles=["balie-beheer"], amr=["pwd", "mfa"])
    trusted = Client()
    sso_login(trusted, "utrecht")
    assert trusted.session[SESSION_KEY] == "idp"
    assert trusted.get("/console/utrecht/").status_code == 200

    idp.login("kc-9", roles=["balie-beheer"], amr=["pwd"])
    without = Client()
    sso_login(without, "utrecht")
    assert without.get("/console/utrecht/")["Location"].startswith(
        "/console/login/two-factor/setup/"
    )

    configure(utrecht, idp, "balie-utrecht", role_map=admin_map, trust_idp_mfa=False)
    idp.login("kc-9", roles=["balie-beheer"], amr=["pwd", "mfa"])
    untrusted = Client()
    sso_login(untrusted, "utrecht")
    assert SESSION_KEY not in untrusted.session


def test_configuration_checks_the_providers_issuer(utrecht, idp):
    with pytest.raises(SsoConfigError) as refusal:
        do_configure_sso(
            utrecht, issuer=idp.issuer + "/other", client_id="x", client_secret="y",
            display_name="X", roles_claim="roles", role_map=UTRECHT_MAP,
        )  # fmt: skip
    assert refusal.value.code == "sso_discovery_refused"
    idp.violations.clear()  # the wrong address was the point
    with pytest.raises(SsoConfigError) as refusal:
        configure(utrecht, idp, "x", role_map=[("kcc", "superuser")])
    assert refusal.value.code == "sso_bad_role_map"


def test_the_command_sets_shows_and_disables(utrecht, idp, tmp_path, capsys):
    idp.add_client("balie-utrecht", "very-secret-value", CALLBACK)
    secret_file = tmp_path / "secret"
    secret_file.write_text("very-secret-value\n")
    call_command(
        "sso", "set", "utrecht", "--issuer", idp.issuer, "--client-id", "balie-utrecht",
        "--client-secret-file", str(secret_file), "--name", "Entra ID",
        "--roles-claim", "roles", "--map", "kcc-medewerker=agent", "--map", "beheer=admin",
        "--no-password", "--trust-idp-mfa",
    )  # fmt: skip
    sso = SingleSignOn.objects.get(organisation=utrecht)
    assert sso.role_map == [["kcc-medewerker", "agent"], ["beheer", "admin"]]
    assert not sso.password_login and sso.trust_idp_mfa and sso.display_name == "Entra ID"
    call_command("sso", "show", "utrecht")
    shown = capsys.readouterr().out
    assert "balie-utrecht" in shown and "very-secret-value" not in shown
    assert "set (sealed)" in shown
    idp.login("kc-1", roles=["kcc-medewerker"])
    assert sso_login(Client(), "utrecht").status_code == 302
    call_command("sso", "disable", "utrecht")
    sso.refresh_from_db()
    assert not sso.enabled and sso.password_login
    assert Client().get("/console/login/sso/utrecht/").status_code == 404
