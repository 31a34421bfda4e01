"""HTTP framing as strict as Node's: every case of http_reference/corpus.py goes, byte for byte
and on a connection of its own, to `leadscore serve` and to Node's own http server (llhttp in
strict mode, http_reference/node_server.mjs), and leadscore may accept no request Node does not
read: neither one Node refuses nor a second request smuggled inside another's body.

"Accepted", precisely:
- by Node: a request its parser read to the end (the server's per-connection report);
- by leadscore: an answer that is not a framing rejection. A framing rejection is what its HTTP
  layer sends when the parser refuses the bytes: one of the parser's statuses with
  {"detail": "..."} and Connection: close (src/http/server.cc). GET /health and POST /score
  answer everything else, 200 or 415/422. A connection closed without an answer accepts
  nothing.

Per case, leadscore must accept at most as many requests as Node. Where it accepts fewer, the
case says why (`stricter`); the run lists those cases at the end. A head with bare-LF line ends,
which leadscore accepts (RFC 9112 §2.2) and Node refuses, is compared through its CRLF twin:
Node must read the twin, and leadscore must answer both alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.leadscore_server import LeadscoreServer, leadscore_server
from http_reference import STRICTER_SEEN
from http_reference.corpus import CASES, SEED_DIR, SEED_PREFIX, Case
from http_reference.node_reference import NodeReference, node_reference
from http_reference.wire import Answer, Exchange, exchange

# What src/http/request_parser.h's ParseError and the request deadline answer with.
FRAMING_STATUSES = {400, 408, 413, 414, 417, 431, 501, 505}


def is_framing_rejection(answer: Answer) -> bool:
    if answer.status not in FRAMING_STATUSES or answer.headers.get("connection") != "close":
        return False
    try:
        return isinstance(json.loads(answer.body)["detail"], str)
    except (ValueError, KeyError, TypeError):
        return False


def accepted_by_leadscore(answered: Exchange) -> int:
    return sum(1 for answer in answered.answers if not is_framing_rejection(answer))


@pytest.fixture(scope="module")
def leadscore(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[LeadscoreServer]:
    with leadscore_server(tmp_path_factory.mktemp("framing-log"), "--model",
                          str(models["channel"])) as running:
        yield running


@pytest.fixture(scope="module")
def node() -> Iterator[NodeReference]:
    with node_reference() as reference:
        yield reference


def test_every_case_is_a_fuzz_seed() -> None:
    expected = {SEED_PREFIX + case.name: case.seed for case in CASES}
    present = {path.name: path.read_bytes() for path in SEED_DIR.glob(SEED_PREFIX + "*")}
    differ = sorted((expected.keys() ^ present.keys())
                    | {name for name in expected.keys() & present.keys()
                       if expected[name] != present[name]})
    assert not differ, (f"{SEED_DIR} is out of date for {differ}: run "
                        ".venv/bin/python tests/e2e/http_reference/corpus.py")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_leadscore_accepts_nothing_node_refuses(case: Case, leadscore: LeadscoreServer,
                                                node: NodeReference) -> None:
    ours = exchange(leadscore.port, case.data)
    theirs = node.verdict(case.data)
    what = f"{case.name}: leadscore answered {ours}; Node {theirs}"
    reference = theirs
    if case.crlf_twin is not None:
        reference = node.verdict(case.crlf_twin)
        ours_with_crlf = exchange(leadscore.port, case.crlf_twin)
        assert theirs.accepted < reference.accepted, (
            f"Node reads this bare-LF head now; the case needs no CRLF twin — {what}")
        assert [a.status for a in ours.answers] == [a.status for a in ours_with_crlf.answers], (
            f"leadscore frames a bare-LF head unlike its CRLF twin — {what}; with CRLF "
            f"leadscore answered {ours_with_crlf}")
        what += f"; with CRLF Node {reference}"

    accepted = accepted_by_leadscore(ours)
    assert accepted <= reference.accepted, f"leadscore accepts what Node refuses — {what}"
    stricter = accepted < reference.accepted
    if stricter:
        STRICTER_SEEN.append((case.name, case.stricter or "(no reason given)"))
    if case.stricter is None:
        assert not stricter, (f"leadscore refuses what Node reads: fix it, or say why in the "
                              f"case's `stricter` — {what}")
    else:
        assert stricter, f"leadscore is no longer stricter than Node: drop `stricter` — {what}"
