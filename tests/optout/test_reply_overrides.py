"""Reply overrides: the precedence rule (pure) and the API's validation."""

import pytest

from optout.replies import Override, choose

OVERRIDES = [
    Override("opt_out", "fr", "CA", "ca-fr"),
    Override("opt_out", "fr", "", "fr"),
    Override("opt_out", "", "CA", "ca"),
    Override("help", "es", "", "es-help"),
]


@pytest.mark.parametrize(
    "language, country, expected",
    [
        ("fr", "CA", "ca-fr"),  # country and language
        ("fr", "FR", "fr"),  # then language
        ("fr-CA", "", "fr"),  # a regional tag counts as its language
        ("en", "CA", "ca"),  # then country
        ("es", "MX", "Vous"),  # nothing for es/MX: the Spanish pack's reply… (checked below)
        ("en", "US", "workspace text"),  # then the default
        ("", "", "workspace text"),
    ],
)
def test_the_most_specific_reply_wins(language, country, expected):
    chosen = choose(
        kind="opt_out",
        language=language,
        country=country,
        overrides=OVERRIDES,
        workspace_text="workspace text",
    )
    if expected == "Vous":
        assert chosen.text.startswith("Se ha dado de baja") and chosen.source == "es pack"
    else:
        assert chosen.text == expected


def test_overrides_of_another_kind_are_ignored():
    chosen = choose(
        kind="opt_in", language="es", country="", overrides=OVERRIDES, workspace_text="ws"
    )
    assert chosen.text.startswith("Se ha vuelto a suscribir")


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"kind": "opt_out", "language": "xx", "text": "t"}, "language", "invalid_language"),
        ({"kind": "opt_out", "country": "ZZ", "text": "t"}, "country", "invalid_country"),
        ({"kind": "opt_out", "language": "fr", "text": ""}, "text", "invalid"),
        ({"kind": "opt_out", "language": "fr", "text": "x" * 1601}, "text", "max_length"),
        ({"kind": "nope", "language": "fr", "text": "t"}, "kind", "invalid_choice"),
        ({"kind": "opt_out", "text": "t"}, "language", "invalid"),
    ],
)
def test_bad_overrides_answer_400_with_the_field(api, body, field, code):
    response = api.post("/api/v1/reply-overrides", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert field in response.json()["fields"]


def test_a_duplicate_override_is_override_exists_and_delete_works(api, world):
    body = {"kind": "help", "language": "es", "country": "mx", "text": "Ayuda para México"}
    created = api.post("/api/v1/reply-overrides", body, format="json")
    assert created.status_code == 201
    assert (created.json()["country"], created.json()["language"]) == ("MX", "es")
    again = api.post("/api/v1/reply-overrides", body, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "override_exists")
    assert [o["text"] for o in api.get("/api/v1/reply-overrides").json()] == ["Ayuda para México"]
    assert api.delete(f"/api/v1/reply-overrides/{created.json()['id']}").status_code == 204
    assert api.get("/api/v1/reply-overrides").json() == []


def test_language_packs_are_set_through_the_settings_api(api):
    response = api.patch("/api/v1/compliance-settings", {"language_packs": ["es"]}, format="json")
    assert response.status_code == 200 and response.json()["language_packs"] == ["es"]
    bad = api.patch("/api/v1/compliance-settings", {"language_packs": ["de"]}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_choice")
