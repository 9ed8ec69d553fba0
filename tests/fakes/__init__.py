"""What the tests' local fakes of remote APIs share: a real HTTP server on 127.0.0.1 that
records the calls and fails on demand (:mod:`tests.fakes.server`), and the checks of every
request and answer against the API's published OpenAPI contract
(:mod:`tests.fakes.contract`). Each fake (``tests/woo/fake_gpp.py``,
``tests/integrations/klantinteracties/fake_openklant.py``,
``tests/integrations/notificaties/fake_nrc.py``, ``tests/connectors/whatsapp/fake_graph.py``,
``tests/archive/fake_tsa.py``) keeps only its API's own: routes, operations, error shapes,
tokens."""

from tests.fakes.contract import ContractFake, RawRequest, RawResponse, explain
from tests.fakes.server import Answer, Call, Failure, FakeServer, Upload, multipart

__all__ = [
    "Answer",
    "Call",
    "ContractFake",
    "Failure",
    "FakeServer",
    "RawRequest",
    "RawResponse",
    "Upload",
    "explain",
    "multipart",
]
