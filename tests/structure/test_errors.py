"""One error base: every domain error is a BalieError with a code, a status and a message,
and each surface maps it in one place."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import pytest
from django.test import override_settings

import balie
from balie import errors
from balie.archive.selectors import AuditNotAllowed
from balie.conversations.selectors import ConversationNotFound, NotAllowed
from balie.records.selectors import RecordNotFound
from balie.search.errors import SearchError
from tests.structure.imports import SRC

# Exceptions that belong to a framework's own mapping (DRF answers them itself).
FRAMEWORK_BASES = {"exceptions.ParseError", "exceptions.APIException"}


def _all_modules():
    for info in pkgutil.walk_packages(balie.__path__, "balie."):
        if ".migrations" in info.name or info.name.endswith(".asgi"):
            continue
        importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_domain_error_has_a_code_a_status_and_a_message():
    _all_modules()
    found = [cls for cls in _subclasses(errors.BalieError) if cls.__module__.startswith("balie")]
    assert len(found) >= 12
    for cls in found:
        assert 400 <= cls.status < 500, cls
        assert cls.default_code and cls.default_code.isidentifier(), cls


def test_no_exception_class_outside_the_error_base():
    """A class deriving from an exception must derive from BalieError (or be a framework's
    own exception that its handler maps, like DRF's)."""
    stray = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {ast.unparse(base) for base in node.bases}
            exceptionish = {b for b in bases if b.endswith(("Error", "Exception"))}
            if exceptionish and not exceptionish <= FRAMEWORK_BASES:
                module = importlib.import_module(
                    "balie." + ".".join(path.relative_to(SRC).with_suffix("").parts)
                )
                if not issubclass(getattr(module, node.name), errors.BalieError):
                    stray.append(f"{path.relative_to(SRC)}: {node.name}{sorted(bases)}")
    assert not stray, "exceptions outside balie.errors.BalieError:\n" + "\n".join(stray)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ConversationNotFound(17), 404, "not_found"),
        (RecordNotFound("x"), 404, "not_found"),
        (NotAllowed("Met uw rol kunt u hier niets wijzigen."), 403, "permission_denied"),
        (AuditNotAllowed("Alleen audit."), 403, "permission_denied"),
        (SearchError("empty_query", "Geef een zoekvraag.", field="q"), 400, "empty_query"),
    ],
)
def test_errors_carry_status_and_code(error, status, code):
    assert (error.status, error.code) == (status, code)
    shape = error.as_dict()
    assert shape["code"] == code and shape["detail"] == str(error) and shape["detail"]


def test_a_field_error_names_its_field():
    shape = SearchError("empty_query", "Geef een zoekvraag.", field="q").as_dict()
    assert shape["fields"] == {"q": [{"code": "empty_query", "detail": "Geef een zoekvraag."}]}


def test_a_lazy_message_follows_the_active_language():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    error = errors.Invalid("x", gettext_lazy("Not found."))
    with translation.override("en"), override_settings(USE_I18N=True):
        assert error.message == "Not found."


def test_the_api_maps_an_audit_refusal_to_its_json_shape(client, agent_anna):
    """AuditNotAllowed used to escape the handler as a bare 403 from DRF."""
    client.force_login(agent_anna)
    response = client.get("/api/v1/audit/")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied" and body["detail"] and body["fields"] == {}


def test_placeholders_are_filled_when_the_message_is_shown():
    error = errors.Invalid("too_long", "At most %(n)s characters.", params={"n": 3})
    assert error.message == "At most 3 characters." == str(error)
    assert error.as_dict()["detail"] == "At most 3 characters."
