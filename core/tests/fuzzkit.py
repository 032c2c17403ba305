"""The tools of the fuzz test (core/tests/test_fuzz.py): hostile values, the routes of the
project with a way to fill each path parameter, a small HTML form reader, and a sender
that counts every 5xx and checks that a refused request wrote nothing.

Not collected by pytest itself (python_files = test_*.py).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from io import StringIO
from urllib.parse import quote_from_bytes, urlsplit

from django.apps import apps
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

# --- the hostile values ------------------------------------------------------------------
#
# Each category of issue 9 (and a few more) with hand-picked values. A value is a str, or
# bytes when it is not even valid UTF-8 (sent as such, percent-encoded).

LONG = 100_000
# a valid address whose casefold() is longer than 254 characters: "ß" folds into "ss"
CASEFOLD_EMAIL = "zoe@" + ".".join(["ß" * 50] * 4) + ".fr"

HOSTILE: dict[str, list[str | bytes]] = {
    "nul": ["\x00", "Zoé\x00Martin", "a\x00@example.org", "\x00" * 20],
    "c0_c1_controls": ["\x01\x02\x1b[31m", "Zo\x7fé", "Zoé\x85", "\x9b\x9f", "a\x08\x0c"],
    "bidi_override": ["\u202eetaD", "Zoé\u202a\u202b\u202c", "\u2066x\u2069", "\u200f\u200e"],
    "zero_width": ["\u200bZoé", "Zo\u200cé", "a\u200d", "\u2060\u180e", "\u00ad"],
    "bom": ["\ufeffZoé", "\ufeff"],
    "surrogate": ["\ud800", "Zoé\udfff", "\udbff\udc00x"],  # sent as (invalid) WTF-8 bytes
    "invalid_utf8": [b"\xff\xfe", b"Zo\xc3\x28", b"\xe9t\xe9", b"\xed\xa0\x80"],
    "unicode_digits": ["²", "٣", "①", "１２", "߀", "pole:²", "network:٣", "1²", "৪২"],
    "long_email_casefold": [
        CASEFOLD_EMAIL,
        "zoe@" + ".".join(["ß" * 31] * 4) + ".fr",  # each label ≤ 63 once IDNA-mapped
        "a" * 64 + "@" + "b" * 185 + ".fr",
    ],
    "email_shapes": [
        "a@b",
        "@example.org",
        "zoé@exämple.org",
        "a@example.org\r\nBcc: x@example.org",
        '"a b"@example.org',
        "a@[127.0.0.1]",
        "a" * 300 + "@example.org",
    ],
    "very_long": ["x" * LONG, "é" * LONG, "é" * 301, "x" * 255, "a\n" * 5_000],
    "sql": ["' OR 1=1 --", '"; DROP TABLE events_event; --', "%' AND '%'='", "\\'", "%_%"],
    "html": [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</title><svg onload=alert(1)>",
        "&lt;&#0;&#x0;",
    ],
    "template": ["{{ settings.SECRET_KEY }}", "{% debug %}", "%s", "%(name)s", "{0}", "${7*7}"],
    "path_traversal": ["../../etc/passwd", "..%2f..%2fetc", "/etc/passwd", "C:\\boot.ini"],
    "numbers": [
        "-1",
        "0",
        "99999999999999999999",
        "9223372036854775808",
        "-9223372036854775809",
        "1e308",
        "NaN",
        "inf",
        "1.5",
        "0x10",
        "1_000",
        " 7 ",
        "+1",
    ],
    "empty_whitespace": ["", " ", "\t\n", "\u00a0", "\u3000", "\r\n"],
    "nfd": ["Ze\u0301", "Nguye\u0302\u0303n", "Lefe\u0300vre-N'Diaye"],
    "rtl": ["محمد", "שלום", "عبد\u0651الله"],
    "scripts": ["देवनागरी", "ภาษาไทย", "தமிழ்", "漢字", "Nguyễn", "Ørsted"],
    "emoji": ["🎉", "👩‍👩‍👧", "🏳️‍🌈", "Zoé 😀"],
    "noncharacters": ["\uffff", "\ue000", "\U0010ffff", "\ufdd0"],
    "dates": ["2031-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "2026-01-01T10:00+24:00"],
    "csv_formula": ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"],
    "urls": ["javascript:alert(1)", "http://[::1", "http://exa mple.org", "//evil.example"],
    "json_like": ["[]", "{}", "null", "true"],
}

# the categories issue 9 names (test_fuzz checks the catalogue covers each of them)
ISSUE_CATEGORIES = {
    "nul",
    "c0_c1_controls",
    "bidi_override",
    "zero_width",
    "bom",
    "surrogate",
    "unicode_digits",
    "long_email_casefold",
    "very_long",
    "sql",
    "html",
    "template",
    "path_traversal",
    "numbers",
    "empty_whitespace",
    "nfd",
    "rtl",
    "scripts",
    "emoji",
    "dates",
}


SHARP: list[tuple[str, str | bytes]] = [
    ("nul", "\x00"),
    ("unicode_digits", "²"),
    ("surrogate", "\ud800"),
    ("very_long", "x" * LONG),
    ("numbers", "99999999999999999999"),
    ("numbers", "-1"),
    ("bidi_override", "\u202eetaD"),
    ("long_email_casefold", CASEFOLD_EMAIL),
]


def catalogue(per_category: int | None = None) -> list[tuple[str, str | bytes]]:
    """(category, value) pairs: every value, or the first ``per_category`` of each."""
    return [(cat, v) for cat, values in HOSTILE.items() for v in values[:per_category]]


def generated_values(count: int) -> list[tuple[str, str]]:
    """Hypothesis draws, derandomized (fixed seed): the same values on every run."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    strategy = st.one_of(
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=300),
        st.from_regex(r"\A[0-9²³¹٠-٩०-९①-⑨]{1,22}\Z"),
        st.emails().map(lambda e: e if len(e) < 2000 else e[:2000]),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.datetimes().map(lambda d: d.isoformat()),
    )
    drawn: list[str] = []

    @settings(
        derandomize=True,
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value):
        drawn.append(value)

    collect()
    seen, unique = set(), []
    for value in drawn:
        if value not in seen:
            seen.add(value)
            unique.append(("hypothesis", value))
    return unique[:count]


# --- hostile JSON for the door API -------------------------------------------------------

JSON_VALUES: list[tuple[str, object]] = [
    ("json_type", None),
    ("json_type", True),
    ("json_type", 0),
    ("json_type", 1.5),
    ("json_type", []),
    ("json_type", {}),
    ("json_type", [[[]]]),
    ("huge_number", 10**300),
    ("huge_number", -(10**30)),
    ("huge_number", 1e308),
    ("dates", "2031-02-30T10:00:00+01:00"),
    ("dates", "2026-06-01T10:00:00+24:00"),
    ("dates", "2026-06-01T10:00:00-23:59"),
    ("dates", "0001-01-01T00:30:00+01:00"),
    ("dates", "0001-01-01T00:00:00Z"),
    ("dates", "9999-12-31T23:59:59-01:00"),
    ("dates", "9999-12-31T23:59:59.999999Z"),
    ("dates", "2000-01-01T00:00:00+00:00"),
    ("dates", "2026-06-01T10:00:00"),
    ("dates", "２０２６-06-01T10:00:00+01:00"),
    ("dates", "2026-06-01T25:61:61+01:00"),
    ("token", "h:" + "é" * 64),
    ("token", "h:" + "0" * 64),
    ("token", "h:" + "Z" * 64),
    ("token", "h:"),
    ("token", "h:\x00"),
    ("token", "é" * 200),
    ("token", "x" * 201),
    ("token", " " * 10),
    ("surrogate", "\ud800"),
    ("surrogate", "abc\udfffdefgh"),
    ("nul", "\x00" * 10),
    ("nul", "abcdefgh\x00"),
    ("very_long", "x" * LONG),
    ("bidi_override", "\u202eabcdefgh"),
    ("unicode_digits", "²²²²²²²²"),
    ("html", "<script>alert(1)</script>"),
]

RAW_BODIES: list[tuple[str, bytes]] = [
    ("nested_brackets", b"[" * 100_000),
    ("nested_objects", b'{"a":' * 50_000),
    ("nested_in_scans", b'{"scans":' + b"[" * 100_000),
    ("invalid_utf8", b'{"scans": [], "x": "\xff\xfe"}'),
    ("bom", b'\xef\xbb\xbf{"scans": []}'),
    ("empty", b""),
    ("not_json", b"scans=1"),
    ("json_scalar", b"null"),
    ("json_string", b'"scans"'),
    ("nan", b'{"scans": [], "version": NaN}'),
    ("huge_int", b'{"scans": [], "version": ' + b"9" * 5000 + b"}"),
    ("duplicate_keys", b'{"scans": [], "scans": 1}'),
    ("escaped_surrogate", b'{"scans": [{"nonce": "\\ud800\\ud800abcdefgh", "token": "\\udfff"}]}'),
    ("too_large", b'{"scans": [], "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'),
    ("utf16", '{"scans": []}'.encode("utf-16")),
]


# --- hostile headers ---------------------------------------------------------------------

HEADER_VARIANTS: list[tuple[str, dict[str, str]]] = [
    ("accept_language", {"HTTP_ACCEPT_LANGUAGE": "xx-YY;q=abc,*;q=2"}),
    ("accept_language", {"HTTP_ACCEPT_LANGUAGE": "a" * 10_000}),
    ("accept_language", {"HTTP_ACCEPT_LANGUAGE": "ar,zh-Hant-TW;q=0.5"}),
    ("accept_language", {"HTTP_ACCEPT_LANGUAGE": "fr\x00"}),
    ("host", {"HTTP_HOST": "TESTSERVER"}),
    ("host", {"HTTP_HOST": "testserver:80"}),
    ("host", {"HTTP_HOST": "localhost:99999"}),
    ("host", {"HTTP_HOST": "127.0.0.1:8000"}),
    ("host", {"HTTP_HOST": "localhost."}),
    ("host", {"HTTP_HOST": "evil.example"}),
    ("host", {"HTTP_HOST": "[::1]"}),
    ("cookie", {"HTTP_COOKIE": "sessionid=\x00; csrftoken=é; django_language=xx"}),
    ("cookie", {"HTTP_COOKIE": "django_language=" + "a" * 5000}),
    ("cookie", {"HTTP_COOKIE": 'sessionid="; x=1'}),
    ("forwarded", {"HTTP_X_FORWARDED_FOR": "1.2.3.4, \x00, é", "HTTP_X_FORWARDED_PROTO": "é"}),
    ("referer", {"HTTP_REFERER": "http://[::1"}),
    ("referer", {"HTTP_REFERER": "javascript:\x00"}),
    ("user_agent", {"HTTP_USER_AGENT": "é" * 10_000}),
    ("origin", {"HTTP_ORIGIN": "null"}),
    ("accept", {"HTTP_ACCEPT": "application/json;q=é"}),
    ("range", {"HTTP_RANGE": "bytes=99999999999999999999-"}),
    ("if_modified_since", {"HTTP_IF_MODIFIED_SINCE": "Mon, 31 Feb 9999 99:99:99 GMT"}),
    ("if_none_match", {"HTTP_IF_NONE_MATCH": '"' + "x" * 5000}),
]

# body-level hostility of a form POST: (category, content type, body)
BODY_VARIANTS: list[tuple[str, str, bytes]] = [
    (
        "charset_utf16",
        "application/x-www-form-urlencoded; charset=utf-16",
        "name=Zo%C3%A9&email=a%40b.fr".encode("utf-16"),
    ),
    ("charset_unknown", "application/x-www-form-urlencoded; charset=x-nope", b"name=a"),
    ("multipart_no_boundary", "multipart/form-data", b"--x\r\n"),
    (
        "multipart_broken",
        "multipart/form-data; boundary=xyz",
        b'--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nZo\r\n--xy',
    ),
    ("json_body", "application/json", b'{"name": "\\u0000"}'),
    ("invalid_utf8_form", "application/x-www-form-urlencoded", b"name=%FF%FE&email=%C3%28"),
    ("many_fields", "application/x-www-form-urlencoded", b"&".join([b"a=1"] * 1200)),
    ("huge_content_length", "application/x-www-form-urlencoded", b"name=a"),
]

METHODS = ["HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "TRACE"]


# --- routes ------------------------------------------------------------------------------

PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route, as ResolverMatch.route gives it
    namespace: str
    name: str | None
    view: str
    is_regex: bool

    @property
    def key(self) -> str:
        return f"{self.namespace}:{self.name}" if self.name else self.pattern

    def params(self) -> list[tuple[str, str]]:
        """(converter, name) of each path parameter."""
        if self.is_regex:
            return [("regex", name) for name in re.findall(r"\?P<(\w+)>", self.pattern)]
        return [(m["conv"] or "str", m["name"]) for m in PARAM.finditer(self.pattern)]

    def build(self, values: dict[str, str]) -> str:
        if self.is_regex:
            raise ValueError("regex routes are built from REGEX_ROUTES")
        return "/" + PARAM.sub(lambda m: values[m["name"]], self.pattern)


def all_routes() -> list[Route]:
    routes = []

    def walk(patterns, prefix, namespace, regex):
        for p in patterns:
            text = str(p.pattern)
            is_regex = regex or type(p.pattern).__name__ == "RegexPattern"
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, prefix + text, ns, is_regex)
            elif isinstance(p, URLPattern):
                routes.append(Route(prefix + text, namespace or "", p.name, p.lookup_str, is_regex))

    walk(get_resolver().url_patterns, "", "", False)
    return routes


# --- the HTML form reader ----------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[dict] = field(default_factory=list)

    def names(self) -> list[str]:
        return [f["name"] for f in self.fields if f.get("name")]


class FormParser(HTMLParser):
    """Every <form> of a page with its inputs, selects, textareas and buttons; the query
    parameter names of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.link_params: set[tuple[str, str]] = set()  # (path, key)
        self._form: Form | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            path, query = a["href"].split("?", 1)
            for part in query.split("#")[0].split("&"):
                if part:
                    self.link_params.add((urlsplit(path).path, part.split("=")[0]))
        if tag == "form":
            self._form = Form(
                a.get("action", ""),
                a.get("method", "get").lower(),
                a.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input":
            self._form.fields.append(
                {
                    "tag": "input",
                    "name": a.get("name"),
                    "type": a.get("type", "text").lower(),
                    "value": a.get("value"),
                    "checked": "checked" in a,
                }
            )
        elif tag == "button":
            self._form.fields.append(
                {"tag": "button", "name": a.get("name"), "value": a.get("value", "")}
            )
        elif tag == "select":
            self._select = {
                "tag": "select",
                "name": a.get("name"),
                "options": [],
                "selected": [],
                "multiple": "multiple" in a,
            }
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["selected"].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a.get("name"), "value": ""}
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_html(content: bytes) -> FormParser:
    parser = FormParser()
    # a page the parser cannot read has no form to fuzz
    with contextlib.suppress(Exception):
        parser.feed(content.decode("utf-8", "replace"))
    return parser


def plausible(name: str, kind: str) -> str:
    """A value a person could type, so that the other fields of a form pass and the
    hostile one reaches the deepest code."""
    n = name.lower()
    if kind == "email" or "email" in n:
        return "fuzz.personne@example.org"
    if kind == "url" or "url" in n or "website" in n:
        return "https://www.example.org"
    if kind == "tel" or "phone" in n:
        return "01 80 05 82 06"
    if kind == "number" or n in {"capacity", "year", "jobs", "founded"}:
        return "3"
    if kind == "date":
        return "2030-06-01"
    if kind == "datetime-local":
        return "2030-06-01T10:00"
    if kind == "password" or "password" in n:
        return "Fuzz-Pass-2014-x"
    if "siren" in n:
        return "732829320"
    if "siret" in n:
        return "73282932000074"
    if "commune" in n:
        return "26281"
    if "postal" in n:
        return "75012"
    if n in {"message", "strategy", "description", "reason", "summary", "body"}:
        return "Un message assez long pour être accepté par le formulaire."
    return "Zoé Lefèvre"


def form_baseline(form: Form) -> list[tuple[str, str]]:
    """The form as a person would send it: defaults kept, empty fields filled."""
    data: list[tuple[str, str]] = []
    radios_done = set()
    for f in form.fields:
        name = f.get("name")
        if not name:
            continue
        if f["tag"] == "button":
            continue
        if f["tag"] == "select":
            options = [o for o in f["options"] if o != ""] or f["options"]
            chosen = f["selected"] or options[:1]
            data.extend((name, v) for v in chosen)
        elif f["tag"] == "textarea":
            data.append((name, f["value"] or plausible(name, "textarea")))
        else:
            kind = f["type"]
            if kind in {"submit", "image", "reset", "button", "file"}:
                continue
            if kind == "checkbox":
                if name.endswith("DELETE"):
                    continue
                data.append((name, f["value"] or "on"))
            elif kind == "radio":
                if name in radios_done:
                    continue
                if f["checked"] or not any(
                    g.get("name") == name and g.get("checked") for g in form.fields
                ):
                    radios_done.add(name)
                    data.append((name, f["value"] or "on"))
            elif kind == "hidden":
                data.append((name, f["value"] or ""))
            else:
                data.append((name, f["value"] or plausible(name, kind)))
    buttons = [f for f in form.fields if f["tag"] == "button" and f.get("name")]
    buttons += [
        f
        for f in form.fields
        if f["tag"] == "input" and f.get("type") == "submit" and f.get("name")
    ]
    if buttons:
        data.append((buttons[0]["name"], buttons[0].get("value") or ""))
    return data


def file_fields(form: Form) -> list[str]:
    return [
        f["name"]
        for f in form.fields
        if f["tag"] == "input" and f.get("type") == "file" and f.get("name")
    ]


# --- encoding ----------------------------------------------------------------------------


def to_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def urlencode(pairs: list[tuple[str, str | bytes]]) -> str:
    return "&".join(
        f"{quote_from_bytes(to_bytes(k), safe='')}={quote_from_bytes(to_bytes(v), safe='')}"
        for k, v in pairs
    )


def multipart(pairs, files: dict[str, tuple[str, bytes]], boundary="fuzzboundary") -> bytes:
    out = []
    for name, value in pairs:
        out.append(
            b"--" + boundary.encode() + b"\r\n"
            b'Content-Disposition: form-data; name="'
            + to_bytes(name)
            + b'"\r\n\r\n'
            + to_bytes(value)
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        out.append(
            b"--" + boundary.encode() + b"\r\n"
            b'Content-Disposition: form-data; name="'
            + to_bytes(name)
            + b'"; filename="'
            + to_bytes(filename)
            + b'"\r\nContent-Type: text/csv\r\n\r\n'
            + content
            + b"\r\n"
        )
    out.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(out)


def short_repr(value, limit: int = 60) -> str:
    text = repr(value)
    if len(text) > limit:
        size = len(value) if hasattr(value, "__len__") else len(text)
        text = f"{text[: limit - 20]}…{text[-12:]} (len {size})"
    return text


# --- what a request wrote ----------------------------------------------------------------

# rows a refused request may legitimately leave: sessions (a form page may open one) and
# sign-in throttling records
UNCHECKED_APPS = {"sessions", "axes"}


def count_query() -> tuple[str, list[str]]:
    """One SQL query counting the rows of every table of the project."""
    labels, parts = [], []
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in UNCHECKED_APPS or model._meta.proxy:
            continue
        table = model._meta.db_table
        if table in seen or not model._meta.managed:
            continue
        seen.add(table)
        labels.append(model._meta.label)
        parts.append(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)})")  # noqa: S608
    return "SELECT " + ", ".join(parts), labels


class Counts:
    def __init__(self):
        self.sql, self.labels = count_query()

    def __call__(self) -> tuple[int, ...]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return tuple(cursor.fetchone())

    def diff(self, before, after) -> list[str]:
        return [
            f"{label} {a:+d}"
            for label, b, a in zip(self.labels, before, after, strict=True)
            for a in [a - b]
            if a
        ]


def invariants() -> list[str]:
    """Half-written states that no request may leave behind, whatever it answered."""
    from django.db.models import F

    from charter.models import LedgerEntry, LedgerHead, Signature
    from checkin.models import Admission, Scan
    from events.models import Registration

    problems = []
    if Admission.objects.filter(registration__scans__isnull=True).exists():
        problems.append("an admission without any scan")
    if Admission.objects.exclude(event_id=F("registration__event_id")).exists():
        problems.append("an admission for another event's registration")
    if Scan.objects.exclude(event_id=F("device__event_id")).exists():
        problems.append("a scan of a device of another event")
    if Signature.objects.filter(status="signed", entries__isnull=True).exists():
        problems.append("a signed signature without its ledger entry")
    head = LedgerHead.objects.first()
    if head and LedgerEntry.objects.count() != head.sequence:
        problems.append("ledger head and entries disagree")
    if Registration.objects.filter(status="confirmed", confirmed_at__isnull=True).exists():
        problems.append("a confirmed registration without confirmed_at")
    return problems


# --- the sender --------------------------------------------------------------------------


@dataclass
class Failure:
    kind: str  # "5xx", "crash", "half-written", "invariant"
    method: str
    url: str
    role: str
    field: str
    value: str
    status: int | str
    cause: str


class Fuzzer:
    """Sends requests as a role, each in a savepoint rolled back after it, and records
    every 5xx (with the exception that caused it) and every refused request that wrote."""

    def __init__(self, client, role_cookies: dict[str, SimpleCookie], log=None):
        self.client = client
        self.role_cookies = role_cookies
        self.failures: list[Failure] = []
        self.sent = Counter()
        self.categories = Counter()
        self.counts = Counts()
        self._exc: list[str] = []
        self.log = log  # a path: each failure is appended there as soon as it is seen
        self.phases: dict[str, tuple[float, int]] = {}
        self._phase: tuple[str, float, int] | None = None

    def _on_exception(self, sender, request=None, **kwargs):
        exc_type, exc, tb = sys.exc_info()
        frames = traceback.extract_tb(tb)
        ours = [
            f for f in frames if "/site-packages/" not in f.filename and "fuzzkit" not in f.filename
        ]
        where = ours[-1] if ours else (frames[-1] if frames else None)
        place = f"{where.filename.split('/work/')[-1]}:{where.lineno}" if where else "?"
        if where:
            place = re.sub(r"^wt-[^/]+/", "", place)
        self._exc.append(f"{exc_type.__name__}: {str(exc)[:160]} @ {place}")

    def __enter__(self):
        got_request_exception.connect(self._on_exception)
        if self.log:
            self.log.write_text("")
        return self

    def fail(self, failure: Failure):
        self.failures.append(failure)
        if self.log:
            with self.log.open("a") as out:
                out.write(
                    f"[{failure.kind}] {failure.method} {failure.url} as {failure.role} "
                    f"field={failure.field} value={failure.value} → {failure.status}: "
                    f"{failure.cause}\n"
                )

    def __exit__(self, *exc):
        got_request_exception.disconnect(self._on_exception)

    def phase(self, name: str):
        """Start timing a phase (the summary gives each one's time and request count)."""
        now, count = time.monotonic(), sum(self.sent.values())
        if self._phase:
            label, start, first = self._phase
            self.phases[label] = (now - start, count - first)
            print(
                f"  fuzz phase {label}: {count - first} requests, {now - start:.0f} s", flush=True
            )
        self._phase = (name, now, count)

    def use_role(self, role: str):
        cookies = SimpleCookie()
        for key, morsel in self.role_cookies[role].items():
            cookies[key] = morsel.value
        self.client.cookies = cookies

    def send(
        self,
        method: str,
        path: str,
        *,
        role: str,
        query: list | None = None,
        body: bytes = b"",
        content_type: str = "application/octet-stream",
        headers: dict | None = None,
        field_name: str = "",
        value=None,
        category: str = "",
        check_writes: bool = False,
        rejected=None,
        after=None,
    ):
        """Send one request; returns (status, response or None). ``after(response)`` runs
        inside the same savepoint (read-back of what was written)."""
        self.use_role(role)
        cache.clear()
        url = path + ("?" + urlencode(query) if query else "")
        self.sent[method] += 1
        if category:
            self.categories[category] += 1
        extra = dict(headers or {})
        self._exc = []
        response = None
        with transaction.atomic():
            before = self.counts() if check_writes else None
            try:
                response = self.client.generic(
                    method, url, data=body, content_type=content_type, **extra
                )
                status = response.status_code
                if getattr(response, "streaming", False):
                    # a streamed file is built while it is read: read it here
                    response._consumed = b"".join(response.streaming_content)
            except Exception as exc:  # noqa: BLE001 - the error handler itself broke
                status = "crash"
                frames = traceback.extract_tb(exc.__traceback__)
                last = frames[-1] if frames else None
                where = f"{last.filename.split('/')[-1]}:{last.lineno}" if last else "?"
                self._exc.append(f"{type(exc).__name__}: {str(exc)[:160]} @ {where}")
            record = {
                "method": method,
                "url": url if len(url) < 160 else url[:140] + "…",
                "role": role,
                "field": field_name,
                "value": short_repr(value) if value is not None else "",
            }
            if status == "crash" or status >= 500:
                cause = self._exc[0] if self._exc else "(no exception: a 5xx response)"
                self.fail(Failure("5xx", status=status, cause=cause, **record))
            elif check_writes:
                is_rejected = (
                    rejected(response) if rejected else status >= 400 or _shows_errors(response)
                )
                if is_rejected:
                    changed = self.counts.diff(before, self.counts())
                    if changed:
                        self.fail(
                            Failure(
                                "half-written",
                                status=status,
                                cause="refused but wrote: " + ", ".join(changed),
                                **record,
                            )
                        )
                broken = invariants()
                if broken:
                    self.fail(
                        Failure("invariant", status=status, cause="; ".join(broken), **record)
                    )
                if not is_rejected and after is not None:
                    after(response)
            transaction.set_rollback(True)
        return status, response

    # --- report ---

    def report(self) -> str:
        groups: dict[tuple, list[Failure]] = defaultdict(list)
        for f in self.failures:
            path = urlsplit(f.url).path
            # the same bug with another value is the same group
            cause = re.sub(r"'[^']*(?:'|$)|\"[^\"]*(?:\"|$)", "…", f.cause)
            cause = re.sub(r"(?<![:\d])\d{2,}", "N", cause)
            groups[(f.kind, _route_of(path), cause)].append(f)
        lines = [
            f"{len(self.failures)} failing requests in {len(groups)} groups "
            f"(of {sum(self.sent.values())} requests sent):"
        ]
        for (kind, route, cause), items in sorted(groups.items(), key=lambda kv: kv[0][:2]):
            lines.append(f"\n[{kind}] {route} — {cause}  ({len(items)} requests)")
            for f in items[:4]:
                lines.append(
                    f"    {f.method} {f.url} as {f.role}"
                    + (f" field={f.field}" if f.field else "")
                    + (f" value={f.value}" if f.value else "")
                    + f" → {f.status}"
                )
            if len(items) > 4:
                fields = sorted({f.field for f in items if f.field})
                roles = sorted({f.role for f in items})
                lines.append(
                    f"    … and {len(items) - 4} more (fields: {', '.join(fields) or '-'}; "
                    f"roles: {', '.join(roles)})"
                )
        return "\n".join(lines)

    def summary(self) -> str:
        methods = ", ".join(f"{m} {n}" for m, n in sorted(self.sent.items()))
        categories = ", ".join(f"{c} {n}" for c, n in sorted(self.categories.items()))
        phases = ", ".join(f"{k} {n} in {t:.0f} s" for k, (t, n) in self.phases.items())
        return (
            f"fuzz: {sum(self.sent.values())} requests ({methods}); phases: {phases}; "
            f"value categories: {categories}; failures: {len(self.failures)}"
        )


ERROR_MARKERS = (
    b'aria-invalid="true"',
    b'class="alert error',
    b'class="errorlist',
    b'class="errornote',
    b'"error":',
)


def _shows_errors(response) -> bool:
    content = read_body(response)
    return any(marker in content for marker in ERROR_MARKERS)


def _route_of(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return path
    except Exception:  # noqa: BLE001
        return path
    return "/" + match.route


def read_body(response) -> bytes:
    if getattr(response, "streaming", False):
        return getattr(response, "_consumed", b"")
    return response.content


def now_iso(delta: timedelta = timedelta()) -> str:
    return (timezone.now() + delta).isoformat()


def json_body(data) -> bytes:
    return json.dumps(data, ensure_ascii=True).encode()


def silence() -> StringIO:
    return StringIO()
