"""Bad input never answers 500: a NUL byte in a query string (PostgreSQL rejects NUL in text,
so this only ever crashed there), a JSON body nested 10,000 deep, an unknown API path. The API
answers its JSON error shape, `{"code": …, "detail": …}`; pages answer a 400 page."""

import json

import pytest

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, _body(response)[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    data = json.loads(_body(response))
    assert data["code"] == code, data
    assert isinstance(data["detail"], str) and data["detail"]
    return data


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


# ---------------------------------------------------------------- NUL bytes in query strings


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/opt-outs?contact=a%00b",
        "/api/v1/consent-events?contact=a%00b",
        "/api/v1/consent-events?contact=a%00b&format=csv",
        "/api/v1/consent-events?format=csv&contact=%2B1415555%000123",
        "/api/v1/opt-outs/check?from=%2B14155550100&to=%00",
        "/api/v1/contacts?x%00=1",
        "/api/v1/messages?limit=%00",
        "/api/v1/keywords?q=%00",
    ],
)
def test_a_nul_byte_in_an_api_query_string_answers_400_invalid(api, url):
    data = _assert_api_error(api.get(url), 400, "invalid")
    assert "NUL" in data["detail"]


def test_a_nul_byte_answers_400_even_without_a_token(client, db):
    _assert_api_error(client.get("/api/v1/opt-outs?contact=a%00b"), 400, "invalid")


def test_the_same_filters_without_nul_still_work(api, world, text_in):
    text_in("STOP", from_="+14155550123")
    response = api.get("/api/v1/opt-outs", {"contact": "+14155550123"})
    assert response.status_code == 200 and response.json()["count"] == 1
    response = api.get("/api/v1/consent-events", {"contact": "+14155550123", "format": "csv"})
    assert response.status_code == 200 and b"+14155550123" in _body(response)


@pytest.mark.parametrize(
    "url",
    [
        "/compliance/block-list/?q=a%00b",
        "/compliance/block-list.csv?q=a%00b",
        "/compliance/consent-ledger.csv?contact=a%00b",
        "/compliance/consent-ledger.csv?contact=1%00",
        "/compliance/audit-log/?page=%00",
        "/inbox/?q=a%00b",
        "/inbox/list/?q=a%00b&current=1",
    ],
)
def test_a_nul_byte_in_a_page_query_string_answers_a_400_page(as_admin, url):
    response = as_admin.get(url)
    assert response.status_code == 400, _body(response)[:300]
    assert response["Content-Type"].startswith("text/html")
    assert not response.streaming  # never a CSV cut short


@pytest.mark.parametrize("contact", ["%C2%B2", "1" * 5000, "9" * 30, "-1"])
def test_a_ledger_filter_that_is_no_contact_id_is_not_found(as_admin, contact):
    # "²".isdigit() is True but int("²") fails; int() refuses 5,000 digits; 30 digits overflow
    # a bigint: none of them may crash the download.
    response = as_admin.get(f"/compliance/consent-ledger.csv?contact={contact}")
    assert response.status_code == 404


# ---------------------------------------------------------------- pagination


@pytest.mark.parametrize(
    "query",
    ["limit=43940524072467750912", "offset=43940524072467750912", "limit=99999&offset=99999999"],
)
def test_a_huge_limit_or_offset_answers_a_page(api, query):
    # PostgreSQL's LIMIT is a bigint: a 20-digit limit answered 500.
    response = api.get(f"/api/v1/phone-numbers?{query}")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["count"] == 2


def test_a_page_is_at_most_1000_rows(api, world):
    from workspaces.models import Contact

    Contact.objects.bulk_create(
        Contact(workspace=world.workspace, phone=f"+1415556{i:04d}") for i in range(1001)
    )
    response = api.get("/api/v1/contacts?limit=5000")
    assert response.status_code == 200
    assert response.json()["count"] == 1001 and len(response.json()["results"]) == 1000


# ---------------------------------------------------------------- deeply nested JSON


DEEP = "[" * 10_000 + "]" * 10_000
DEEP_OBJECT = '{"a":' * 10_000 + "1" + "}" * 10_000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/messages"),
        ("post", "/api/v1/keywords"),
        ("post", "/api/v1/opt-outs"),
        ("post", "/api/v1/contacts"),
        ("patch", "/api/v1/compliance-settings"),
    ],
)
def test_a_deeply_nested_json_body_answers_400_parse_error(api, method, url, body):
    response = getattr(api, method)(url, data=body, content_type="application/json")
    _assert_api_error(response, 400, "parse_error")


def test_json_nested_deeper_than_the_limit_is_refused_shallower_is_read(api):
    too_deep = "[" * 200 + "]" * 200
    _assert_api_error(
        api.post("/api/v1/keywords", data=too_deep, content_type="application/json"),
        400,
        "parse_error",
    )
    shallow = json.dumps({"kind": "help", "keyword": [[["x"]]]})
    _assert_api_error(
        api.post("/api/v1/keywords", data=shallow, content_type="application/json"), 400, "invalid"
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"kind": "help", "keyword": "\\udcff"}',
        '{"kind": "help", "keyword": "ok", "\\ud800": 1}',
        '{"to": "+14155550123", "from": "+14155550100", "body": "hi \\udc00"}',
    ],
)
def test_a_json_string_with_an_unpaired_surrogate_answers_400_parse_error(api, body):
    url = "/api/v1/messages" if '"to"' in body else "/api/v1/keywords"
    response = api.post(url, data=body, content_type="application/json")
    _assert_api_error(response, 400, "parse_error")


def test_a_nul_in_a_json_string_is_the_fields_error(api):
    response = api.post("/api/v1/keywords", {"kind": "help", "keyword": "a\x00b"}, format="json")
    data = _assert_api_error(response, 400, "invalid")
    assert "keyword" in data["fields"]


# ---------------------------------------------------------------- unknown API paths


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nope",
        "/api/v1/messages/abc",
        "/api/v1/messages/1/extra",
        "/api/v1/keywords/",
        "/api/v1/",
        "/api/nope",
    ],
)
def test_an_unknown_api_path_answers_json_404(api, url):
    _assert_api_error(api.get(url), 404, "not_found")
    _assert_api_error(api.post(url, {}, format="json"), 404, "not_found")


def test_an_unknown_api_path_answers_json_404_without_a_token(client, db):
    _assert_api_error(client.get("/api/v1/nope"), 404, "not_found")


def test_an_unknown_id_answers_json_404(api):
    _assert_api_error(api.get("/api/v1/messages/999999"), 404, "not_found")
    _assert_api_error(api.get("/api/v1/messages/99999999999999999999999"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "url"),
    [("delete", "/api/v1/messages"), ("put", "/api/v1/keywords"), ("post", "/api/v1/messages/1")],
)
def test_a_method_an_api_path_does_not_have_answers_json_405(api, method, url):
    _assert_api_error(getattr(api, method)(url), 405, "method_not_allowed")


def test_pages_keep_their_html_404(as_admin):
    response = as_admin.get("/compliance/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_api_paths_without_the_slash_still_redirect(client, db):
    assert client.get("/api/schema").status_code == 301
