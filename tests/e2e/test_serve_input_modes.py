"""`leadscore serve` against the seed's FastAPI design, value by value: pydantic's lax mode (the
default, the seed's) and strict mode (--strict-input).

A table of request bodies (hand-picked values for every field kind, then seeded random ones:
integer-like strings, floats written many ways, whole leads of mixed kinds) goes to leadscore
and to the reference app (bench/reference/app.py, FastAPI + pydantic, the same model). For each:
- the reference refuses it: leadscore answers 422 with the same errors, every key compared
  (type, loc, msg, input, ctx; `input` cut to leadscore's echo bound where FastAPI's is longer);
- the reference accepts it: leadscore answers 200 with the reference's score, and exactly the
  answer it gives the canonical lead (the values pydantic made of it, as plain JSON).
The batch route reports each lead's errors like /score does.

Left out of the table, tested apart: numbers beyond the double range (Python reads inf, which
FastAPI cannot print: it answers 500, leadscore 422 with the input echoed as null).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from fixtures.fastapi_reference import fastapi_reference, reference_lead_model
from fixtures.leadscore_server import LeadscoreServer, leadscore_server

log = logging.getLogger(__name__)

SPEC_ORDER = ["sessions", "engaged_sessions", "page_views", "is_first_visit", "channel"]
COUNTS = ["sessions", "engaged_sessions", "page_views"]
BASE = {"sessions": "5", "engaged_sessions": "3", "page_views": "12", "is_first_visit": "false",
        "channel": '"Paid Search"'}  # JSON text of each field's value
ECHO_BOUND = 256  # api::kMaxInputEchoBytes
SEED = 20240515


def text(value: str, ascii_only: bool = False) -> str:
    """A Python string as JSON text."""
    return json.dumps(value, ensure_ascii=ascii_only)


# --- the table ------------------------------------------------------------------------------

# JSON texts for a count (int, ge=0, le=1_000_000).
COUNT_NUMBERS = [
    "0", "5", "-0", "-1", "1000000", "1000001", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "1" + "0" * 30,
    "5.0", "0.0", "-0.0", "1e2", "1E2", "1.5e1", "150e-1", "500e-2", "5.5", "-0.5", "-1.0",
    "1000000.0", "1000001.0", "1e6", "1e-400", "-1e-400", "5.000000000000000001",
    "4.9999999999999999", "9.223372036854775e18", "9.223372036854776e18",
    "-9.223372036854775e18", "-9.223372036854776e18", "1e19", "1e300", "0.1", "2.5e-1",
]
COUNT_OTHERS = ["true", "false", "null", "[]", "[5]", "{}", '{"a": 5}']
COUNT_STRINGS = [
    "5", " 5 ", "+5", "05", "-05", "5.0", "5.00", "5.", "0.", ".0", "00.0", "-0.0", "+05.0",
    "5_000", "1_0", "0_5", "0__0", "5_0.0", "5.0_0", "_5", "5_", "1__0", "1e3", "1E3", "", "  ",
    "-0", "-00", "+0", "-", "+", "+-5", "-+5", "++5", "--5", "-_5", "0-5", "0_-5", "-0-5",
    "0.-5", "0x10", "0b1", "1 000", "abc", "5.5", "5.10", "\u0665", "\u00a05\u3000",
    "\u20285\u2029", "\u200b5", "\ufeff5", "\x1c5", "\t5\n", "\x0b5\x0c", "\u00855", "\u16805",
    "\u202f5\u205f", "\u180e5", "1000000", "1000001", "-1", "99999999999999999999",
    "0" * 300 + "7", "1" * 4300, "1" * 4301, "1" * 4301 + "x", "+" + "1" * 4301, "true",
    "false", "null", "5 5", "\uff15",
]
FLAG_NUMBERS = [
    "0", "1", "2", "-1", "-0", "0.0", "1.0", "-0.0", "2.0", "0.5", "1e0", "1e-400", "10e-1",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "1e300", "9.223372036854775e18",
]
FLAG_OTHERS = ["true", "false", "null", "[]", "{}", "[true]"]
FLAG_STRINGS = [
    "0", "1", "t", "f", "T", "F", "y", "n", "Y", "N", "yes", "no", "YES", "No", "on", "off", "ON",
    "Off", "true", "false", "True", "FALSE", "tRuE", " true", "true ", "", "01", "1.0", "+1",
    "-0", "maybe", "truee", "2", "\u0131", "ye", "of", "\u0130",
]
CHANNELS = ['"Paid Search"', '"Direct"', '"TikTok"', '""', text("x" * 64), text("x" * 65),
            text("\u00e9" * 64), text("\u00e9" * 65), "5", "5.0", "true", "null", "[]", "{}"]

STRING_ALPHABET = "0123456789" + "00000" + "11" + "_.+- \teEx" + "\u00a0\u3000\u200b\u0665"


def count_values() -> list[str]:
    values = COUNT_NUMBERS + COUNT_OTHERS
    for string in COUNT_STRINGS:
        values.append(text(string))
    # The same strings escaped (\\uXXXX) where that differs: the parser decodes before reading.
    values += [text(s, ascii_only=True) for s in COUNT_STRINGS
               if text(s, ascii_only=True) != text(s) and len(s) < 100]
    values += ['"\\u0035"', '"\\u0030\\u0035"', '"\\u00355"']
    return values


def flag_values() -> list[str]:
    return FLAG_NUMBERS + FLAG_OTHERS + [text(s) for s in FLAG_STRINGS] + ['"\\u0074rue"']


def random_count_string(rng: random.Random) -> str:
    return "".join(rng.choice(STRING_ALPHABET) for _ in range(rng.randint(0, 7)))


def random_float_text(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:  # whole numbers written as floats, around the bounds
        return repr(float(rng.choice([rng.randint(-3, 20), rng.randint(999_990, 1_000_010)])))
    if kind == 1:  # few decimals
        return f"{rng.uniform(-5, 50):.{rng.randint(1, 3)}f}"
    if kind == 2:  # mantissa and exponent
        return f"{rng.randint(0, 5000)}{rng.choice('eE')}{rng.choice(['', '+', '-'])}{rng.randint(0, 4)}"
    if kind == 3:  # huge or tiny, still finite
        return f"{rng.choice(['', '-'])}1e{rng.choice(['', '-'])}{rng.randint(15, 307)}"
    return f"{rng.randint(0, 9)}.{'0' * rng.randint(1, 20)}{rng.choice(['', '1'])}"


def random_value(rng: random.Random, field: str, pools: dict[str, list[str]]) -> str:
    if field in COUNTS:
        kind = rng.randrange(4)
        if kind == 0:
            return text(random_count_string(rng), ascii_only=rng.random() < 0.2)
        if kind == 1:
            return random_float_text(rng)
        return rng.choice(pools["count"])
    if field == "is_first_visit":
        if rng.random() < 0.3:
            return random_float_text(rng) if rng.random() < 0.5 else str(rng.randint(-2, 3))
        return rng.choice(pools["flag"])
    return rng.choice(pools["channel"])


def lax_count_text(rng: random.Random, n: int) -> str:
    """`n` written in one of the forms lax pydantic reads as n."""
    digits = str(n)
    forms = [digits, f"{n}.0", f"{n}e0", f"{n * 10}e-1", text(digits), text(f" {n} "),
             text(f"+{n}"), text(f"00{n}"), text(f"{n}.000"), text(f"\t{n}\u00a0"),
             text(digits, ascii_only=True).replace(digits[0], f"\\u003{digits[0]}", 1)]
    if n >= 10:
        forms.append(text(f"{digits[0]}_{digits[1:]}"))
    if n in (0, 1):
        forms.append("true" if n else "false")
    return rng.choice(forms)


def lax_flag_text(rng: random.Random, flag: bool) -> str:
    words = ["1", "t", "y", "on", "yes", "true"] if flag else ["0", "f", "n", "off", "no", "false"]
    word = "".join(c.upper() if rng.random() < 0.5 else c for c in rng.choice(words))
    numbers = ["1", "1.0", "1e0"] if flag else ["0", "-0", "0.0", "-0.0"]
    return rng.choice([text(word), rng.choice(numbers), "true" if flag else "false"])


def random_valid_lead(rng: random.Random) -> dict[str, str]:
    sessions = rng.randint(0, 40)
    return {"sessions": lax_count_text(rng, sessions),
            "engaged_sessions": lax_count_text(rng, rng.randint(0, sessions)),
            "page_views": lax_count_text(rng, rng.randint(0, 200)),
            "is_first_visit": lax_flag_text(rng, rng.random() < 0.5),
            "channel": rng.choice(CHANNELS[:4])}


def body_of(fields: dict[str, str]) -> str:
    return "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"


@dataclass(frozen=True)
class Case:
    name: str
    body: str


def build_cases() -> list[Case]:
    rng = random.Random(SEED)
    pools = {"count": count_values(), "flag": flag_values(), "channel": CHANNELS}
    cases = []
    for field in COUNTS:
        for value in pools["count"]:
            cases.append(Case(f"{field}={value[:40]}", body_of({**BASE, field: value})))
    for value in pools["flag"]:
        cases.append(Case(f"is_first_visit={value}", body_of({**BASE, "is_first_visit": value})))
    for value in CHANNELS:
        cases.append(Case(f"channel={value[:40]}", body_of({**BASE, "channel": value})))
    for field in SPEC_ORDER:
        cases.append(Case(f"no {field}", body_of({k: v for k, v in BASE.items() if k != field})))
    # Every value kind against `at_most`: engaged_sessions above or at sessions.
    for sessions, engaged in [('"3"', "4.0"), ('"4"', "4.0"), ("true", '"1"'), ("3.0", "true"),
                              ('" 2 "', '"2_0"'), ('"0"', "false"), ("-0.0", '"-0"')]:
        cases.append(Case(f"at_most {sessions} {engaged}",
                          body_of({**BASE, "sessions": sessions, "engaged_sessions": engaged})))
    for i in range(600):
        field = rng.choice(COUNTS)
        cases.append(Case(f"random count string {i}",
                          body_of({**BASE, field: text(random_count_string(rng))})))
    for i in range(300):
        field = rng.choice(COUNTS + ["is_first_visit"])
        cases.append(Case(f"random float {i}", body_of({**BASE, field: random_float_text(rng)})))
    for i in range(1500):
        fields = {name: random_value(rng, name, pools) for name in SPEC_ORDER
                  if rng.random() > 0.05}
        names = list(fields)
        rng.shuffle(names)
        cases.append(Case(f"random lead {i}", body_of({name: fields[name] for name in names})))
    for i in range(800):
        cases.append(Case(f"random lax-valid lead {i}", body_of(random_valid_lead(rng))))
    return cases


CASES = build_cases()


# --- servers --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lax_server(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[LeadscoreServer]:
    with leadscore_server(tmp_path_factory.mktemp("lax"), "--model",
                          str(models["channel"])) as running:
        yield running


@pytest.fixture(scope="module")
def strict_server(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[LeadscoreServer]:
    with leadscore_server(tmp_path_factory.mktemp("strict"), "--model", str(models["channel"]),
                          "--strict-input") as running:
        yield running


@pytest.fixture(scope="module")
def lax_reference(models: dict[str, Path]) -> Iterator[str]:
    with fastapi_reference(models["channel"]) as url:
        yield url


@pytest.fixture(scope="module")
def strict_reference(models: dict[str, Path]) -> Iterator[str]:
    with fastapi_reference(models["channel"], strict=True) as url:
        yield url


# --- comparison -----------------------------------------------------------------------------

HEADERS = {"Content-Type": "application/json"}


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def echo_differs(ours: object, theirs: object) -> bool:
    """Whether our `input` is not FastAPI's: equal, or, where FastAPI's is longer than our
    bound, our bounded form of it (a string's prefix, or an empty container, or null)."""
    if compact(ours) == compact(theirs):
        return False
    if len(compact(theirs).encode()) <= ECHO_BOUND:
        return True
    if isinstance(theirs, str):
        return not (isinstance(ours, str) and theirs.startswith(ours))
    return ours not in ({}, [], None)


def error_differences(ours: list[dict], theirs: list[dict]) -> list[str]:
    """Every difference between two 422 detail lists, as text; empty when they agree. Errors
    pair up by `loc` (one error per location); their order is each model's field order."""
    def by_loc(errors: list[dict]) -> dict[str, dict]:
        return {compact(error["loc"]): error for error in errors}
    mine, reference = by_loc(ours), by_loc(theirs)
    problems = []
    if len(mine) != len(ours) or len(reference) != len(theirs):
        problems.append("two errors at one location")
    for loc in sorted(set(mine) | set(reference)):
        a, b = mine.get(loc), reference.get(loc)
        if a is None or b is None:
            problems.append(f"{loc}: only in {'FastAPI' if a is None else 'leadscore'}: "
                            f"{compact(b if a is None else a)}")
            continue
        for key in ("type", "msg", "ctx"):
            if compact(a.get(key)) != compact(b.get(key)):
                problems.append(f"{loc} {key}: ours {compact(a.get(key))}, "
                                f"FastAPI {compact(b.get(key))}")
        if set(a) != set(b):
            problems.append(f"{loc} keys: ours {sorted(a)}, FastAPI {sorted(b)}")
        if echo_differs(a.get("input"), b.get("input")):
            problems.append(f"{loc} input: ours {compact(a.get('input'))[:200]}, "
                            f"FastAPI {compact(b.get('input'))[:200]}")
    spec_index = [SPEC_ORDER.index(e["loc"][1]) if len(e["loc"]) > 1 else -1 for e in ours]
    if spec_index != sorted(spec_index):
        problems.append(f"errors not in spec order: {[e['loc'] for e in ours]}")
    return problems


@dataclass
class Tally:
    refused: int = 0
    accepted: int = 0


def compare_all(server: LeadscoreServer, reference: str, *, strict: bool) -> Tally:
    """Sends every case to both; returns the counts, failing with every mismatch listed."""
    model = reference_lead_model(strict=strict)
    tally = Tally()
    mismatches = []
    with requests.Session() as ours_session, requests.Session() as theirs_session:
        def ours(body: str) -> requests.Response:
            return ours_session.post(f"{server.url}/score", data=body.encode(), headers=HEADERS,
                                     timeout=30)

        for case in CASES:
            theirs = theirs_session.post(f"{reference}/score", data=case.body.encode(),
                                         headers=HEADERS, timeout=30)
            answer = ours(case.body)
            where = f"{case.name}: {case.body[:300]}"
            if theirs.status_code == 422:
                tally.refused += 1
                if answer.status_code != 422:
                    mismatches.append(f"{where}\n  FastAPI 422 {theirs.text[:300]}\n  "
                                      f"leadscore {answer.status_code} {answer.text[:300]}")
                    continue
                problems = error_differences(answer.json()["detail"], theirs.json()["detail"])
                if problems:
                    mismatches.append(where + "\n  " + "\n  ".join(problems))
            elif theirs.status_code == 200:
                tally.accepted += 1
                if answer.status_code != 200:
                    mismatches.append(f"{where}\n  FastAPI 200, leadscore {answer.status_code} "
                                      f"{answer.text[:300]}")
                    continue
                canonical = model.model_validate(json.loads(case.body)).model_dump()
                expected = ours(json.dumps(canonical))
                if answer.json() != expected.json():
                    mismatches.append(f"{where}\n  ours {answer.text}, for the canonical lead "
                                      f"{canonical}: {expected.text}")
                seed = theirs.json()
                if (abs(answer.json()["score"] - seed["score"]) > 1e-6
                        or answer.json()["label"] != seed["label"]):
                    mismatches.append(f"{where}\n  ours {answer.text}, FastAPI {theirs.text}")
            else:
                mismatches.append(f"{where}\n  the table holds a case FastAPI cannot answer: "
                                  f"{theirs.status_code} {theirs.text[:200]}")
    log.info("%s: %d cases, FastAPI refused %d and accepted %d; %d mismatches",
             "strict" if strict else "lax", len(CASES), tally.refused, tally.accepted,
             len(mismatches))
    assert not mismatches, f"{len(mismatches)} of {len(CASES)} cases differ:\n" + "\n".join(
        mismatches[:40])
    return tally


def test_the_table_is_large_and_covers_both_outcomes() -> None:
    assert len(CASES) > 3000
    assert len({case.body for case in CASES}) > 2500


def test_lax_mode_answers_like_the_seeds_lax_pydantic_case_by_case(
        lax_server: LeadscoreServer, lax_reference: str) -> None:
    tally = compare_all(lax_server, lax_reference, strict=False)
    assert tally.accepted > 1000 and tally.refused > 2000, tally


def test_strict_mode_answers_like_strict_pydantic_case_by_case(
        strict_server: LeadscoreServer, strict_reference: str) -> None:
    tally = compare_all(strict_server, strict_reference, strict=True)
    assert tally.accepted > 10 and tally.refused > 3000, tally


def test_batch_reports_each_leads_coercion_errors_like_score(lax_server: LeadscoreServer) -> None:
    leads = CASES[:2000]
    with requests.Session() as session:
        singles = [session.post(f"{lax_server.url}/score", data=case.body.encode(),
                                headers=HEADERS, timeout=30) for case in leads]
        batch = session.post(f"{lax_server.url}/score/batch", headers=HEADERS, timeout=60,
                             data=('{"leads": [' + ", ".join(c.body for c in leads)
                                   + "]}").encode())
        assert batch.status_code == 422
        expected = []
        for index, single in enumerate(singles):
            if single.status_code == 422:
                for error in single.json()["detail"]:
                    expected.append({**error, "loc": ["body", "leads", index, *error["loc"][1:]]})
        assert batch.json()["detail"] == expected

        valid = [(case, single) for case, single in zip(leads, singles, strict=True)
                 if single.status_code == 200]
        scored = session.post(f"{lax_server.url}/score/batch", headers=HEADERS, timeout=60,
                              data=('{"leads": [' + ", ".join(c.body for c, _ in valid)
                                    + "]}").encode())
        assert scored.status_code == 200, scored.text[:500]
        assert scored.json()["scores"] == [single.json() for _, single in valid]


def test_a_hubspot_style_lead_of_strings_scores_like_the_typed_one(
        lax_server: LeadscoreServer, strict_server: LeadscoreServer) -> None:
    typed = {"sessions": 5, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search",
             "is_first_visit": False}
    # HubSpot's API returns every property value as a string.
    strings = {name: str(value).lower() if isinstance(value, bool) else str(value)
               for name, value in typed.items()}
    answer = requests.post(f"{lax_server.url}/score", json=strings, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == requests.post(f"{lax_server.url}/score", json=typed,
                                          timeout=10).json()
    refused = requests.post(f"{strict_server.url}/score", json=strings, timeout=10)
    assert refused.status_code == 422
    assert {e["type"] for e in refused.json()["detail"]} == {"int_type", "bool_type"}


@pytest.mark.parametrize("value", ["1e400", "-1e400"])
def test_a_number_beyond_double_range_is_a_422_echoed_as_null(
        lax_server: LeadscoreServer, lax_reference: str, value: str) -> None:
    body = body_of({**BASE, "sessions": value, "is_first_visit": value}).encode()
    theirs = requests.post(f"{lax_reference}/score", data=body, headers=HEADERS, timeout=10)
    assert theirs.status_code == 500  # FastAPI cannot print Python's inf
    ours = requests.post(f"{lax_server.url}/score", data=body, headers=HEADERS, timeout=10)
    assert ours.status_code == 422
    assert [(e["type"], e["loc"][1], e["input"]) for e in ours.json()["detail"]] == [
        ("finite_number", "sessions", None), ("bool_type", "is_first_visit", None)]


def test_openapi_types_are_what_fastapi_publishes_for_the_seeds_model(
        lax_server: LeadscoreServer, lax_reference: str) -> None:
    ours = requests.get(f"{lax_server.url}/openapi.json", timeout=10).json()
    theirs = requests.get(f"{lax_reference}/openapi.json", timeout=10).json()
    ours_lead = ours["components"]["schemas"]["Lead"]["properties"]
    theirs_lead = theirs["components"]["schemas"]["Lead"]["properties"]
    assert set(ours_lead) == set(theirs_lead)
    for name, schema in theirs_lead.items():
        for key in ("type", "minimum", "maximum", "maxLength"):
            assert ours_lead[name].get(key) == schema.get(key), (name, key)
