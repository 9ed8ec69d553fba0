"""Where a webhook may point: public https addresses only, unless the installation allows a
network; checked when saved and again when sending, to the very address that was checked."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from balie.conversations.actions.errors import ActionError
from balie.integrations.webhooks.addresses import AddressRefused, check_url
from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.subscriptions import do_create_subscription
from tests.factories import send
from tests.integrations.webhooks.conftest import run_tasks

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"  # a public address, written as such: no DNS needed


def _resolving(monkeypatch, table: dict[str, list[str]]):
    """Name resolution as the test says (no network); addresses stay themselves."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise socket.gaierror(host) from None
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in table[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://172.16.3.4/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://127.0.0.1:6379/",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.5]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://localhost/hook",
    ],
)
def test_internal_addresses_are_refused(url):
    with pytest.raises(AddressRefused):
        check_url(url)


def test_a_name_that_resolves_inside_is_refused(monkeypatch):
    _resolving(
        monkeypatch,
        {"intern.example.nl": ["10.1.2.3"], "mixed.example.nl": [PUBLIC, "192.168.0.1"]},
    )  # noqa: E501
    with pytest.raises(AddressRefused):
        check_url("https://intern.example.nl/hook")
    with pytest.raises(AddressRefused):  # every address counts, not only the first
        check_url("https://mixed.example.nl/hook")


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC}/hook",  # http only to this machine
        f"https://user:pass@{PUBLIC}/hook",
        f"https://{PUBLIC}/hook#fragment",
        "ftp://example.nl/hook",
        "https:///hook",
        f"https://{PUBLIC}:99999/hook",
        "https://" + "a" * 500 + ".nl/",
        "",
        None,
        42,
    ],
)
def test_addresses_of_the_wrong_form_are_refused(url):
    with pytest.raises(ActionError):
        check_url(url)


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    _resolving(monkeypatch, {})
    with pytest.raises(ActionError) as refused:
        check_url("https://bestaat-niet.example.nl/hook")
    assert refused.value.code == "invalid_field"


def test_public_addresses_are_accepted(monkeypatch):
    _resolving(monkeypatch, {"ontvanger.example.nl": [PUBLIC]})
    assert check_url(f"https://{PUBLIC}/hook?token=abc") == f"https://{PUBLIC}/hook?token=abc"
    assert check_url(" https://ontvanger.example.nl/balie ") == "https://ontvanger.example.nl/balie"


def test_the_installation_can_allow_a_network(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["10.20.0.0/16", "not a network"]
    assert check_url("https://10.20.1.2/hook") == "https://10.20.1.2/hook"
    with pytest.raises(AddressRefused):
        check_url("https://10.21.1.2/hook")
    with pytest.raises(ActionError):  # http stays for this machine only
        check_url("http://10.20.1.2/hook")
    settings.WEBHOOKS_ALLOWED_NETWORKS = "127.0.0.0/8"  # as the environment gives it
    assert check_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"


def test_an_administrator_cannot_subscribe_an_internal_address(utrecht, admin_ada):
    with pytest.raises(AddressRefused):
        do_create_subscription(
            utrecht.pk, actor=admin_ada, name="Redis", url="https://127.0.0.1:6379/"
        )
    assert not Subscription.objects.exists()


def test_a_name_that_moves_inside_later_is_refused_when_sending(
    webchat, utrecht, admin_ada, receiver, monkeypatch
):
    port = receiver.url.split(":")[2].split("/")[0]
    _resolving(monkeypatch, {"ontvanger.example.nl": [PUBLIC]})
    subscription, _secret = do_create_subscription(
        utrecht.pk, actor=admin_ada, name="CRM", url=f"https://ontvanger.example.nl:{port}/balie"
    )
    _resolving(monkeypatch, {"ontvanger.example.nl": ["169.254.169.254"]})  # rebinding
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.state == DeliveryState.FAILED and delivery.error_code == "address_refused"
    assert receiver.received == []


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    webchat, utrecht, admin_ada, receiver, monkeypatch
):
    port = receiver.url.split(":")[2].split("/")[0]
    _resolving(monkeypatch, {"ontvanger.test": ["127.0.0.1"]})
    do_create_subscription(
        utrecht.pk, actor=admin_ada, name="CRM", url=f"http://ontvanger.test:{port}/balie"
    )
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    (request,) = receiver.received
    assert request.headers["Host"] == f"ontvanger.test:{port}"
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_over_tls_the_certificate_is_checked_for_the_name_at_the_checked_address(
    webchat, utrecht, admin_ada, tls_receiver, monkeypatch
):
    port = tls_receiver.url.rsplit(":", 1)[1].split("/")[0]
    _resolving(monkeypatch, {"ontvanger.test": ["127.0.0.1"], "ander.test": ["127.0.0.1"]})
    right, _secret = do_create_subscription(
        utrecht.pk, actor=admin_ada, name="Goed", url=f"https://ontvanger.test:{port}/balie"
    )
    wrong, _secret = do_create_subscription(
        utrecht.pk, actor=admin_ada, name="Fout", url=f"https://ander.test:{port}/balie"
    )
    conversation, _token = webchat
    send(conversation, "een")
    run_tasks()
    assert Delivery.objects.get(subscription=right).state == DeliveryState.DELIVERED
    (request,) = tls_receiver.received
    assert request.headers["Host"] == f"ontvanger.test:{port}"
    assert "ontvanger.test" in tls_receiver.server_names  # SNI carries the name
    refused = Delivery.objects.get(subscription=wrong)  # a certificate for another name
    assert refused.state == DeliveryState.FAILED and refused.error_code == "tls"
