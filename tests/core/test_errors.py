"""Error rendering (friendly Italian pages vs the JSON error shape) and security headers."""
from __future__ import annotations

import contextvars
import re

import pytest

from tests.auth.test_api import assert_error
from tests.factories import login, make_user


def test_404_page_in_italian(client):
    response = client.get("/non-esiste")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "Pagina o risorsa non trovata." in html and "Nulla è stato modificato." in html


def test_404_json_under_api(client):
    response = client.get("/api/v1/non-esiste")
    assert response.mimetype == "application/json"
    assert assert_error(response, 404, "not_found")["message"] == "Pagina o risorsa non trovata."


def test_404_json_when_the_client_asks_for_json(client):
    assert_error(client.get("/non-esiste", headers={"Accept": "application/json"}), 404, "not_found")


@pytest.mark.parametrize("body", ["{bad json", '{"email": "a@b.it",}', "\xff\xfe"])
def test_malformed_json_400(client, body):
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert assert_error(response, 400, "invalid_json")["message"] == "Il corpo della richiesta non è JSON valido."


@pytest.mark.parametrize("body", ["[]", '"testo"', "42", "null"])
def test_json_that_is_not_an_object_422(client, body):
    assert_error(client.post("/api/v1/auth/token", data=body, content_type="application/json"), 422, "invalid_input")


def test_unknown_fields_422_named(client):
    response = client.post("/api/v1/auth/token", json={"email": "a@b.it", "password": "x", "token": "y", "admin": True})
    error = assert_error(response, 422, "invalid_input")
    assert {"token", "admin"} <= set(error["fields"])
    assert error["message"] == "Dati non validi."


def test_405_json_and_page(client, session):
    assert_error(client.post("/api/v1/me", json={}), 405, "method_not_allowed")
    login(client, make_user(session, role="observer"))
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "Metodo non consentito." in response.get_data(as_text=True)


def test_413_payload_too_large(client, app):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/api/v1/auth/token", data="x" * size, content_type="application/json")
    assert_error(response, 413, "payload_too_large")


def test_unexpected_error_500_rolls_back_and_hides_details(app):
    from app.extensions import db

    def failing_request():
        with app.test_request_context("/api/v1/anything", method="POST"):
            db.session.execute(db.text("SELECT 1"))
            response = app.make_response(app.handle_user_exception(RuntimeError("segreto interno")))
            return response, db.session().in_transaction()

    response, in_transaction = contextvars.Context().run(failing_request)
    assert response.status_code == 500 and not in_transaction
    body = response.get_json()
    assert body["error"]["code"] == "internal_error" and "segreto" not in response.get_data(as_text=True)


def test_a_unique_index_refusal_is_a_clear_409_and_rolls_back(app):
    """Races the services do not serialize end at a unique index: the later request is told, not a 500."""
    from sqlalchemy.exc import IntegrityError

    from app.extensions import db

    def racing_request():
        with app.test_request_context("/api/v1/anything", method="POST"):
            db.session.execute(db.text("SELECT 1"))
            refusal = IntegrityError("INSERT ...", {}, Exception("duplicate key value violates unique constraint"))
            response = app.make_response(app.handle_user_exception(refusal))
            return response, db.session().in_transaction()

    response, in_transaction = contextvars.Context().run(racing_request)
    assert response.status_code == 409 and not in_transaction
    assert response.get_json()["error"]["code"] == "concurrent_change"


@pytest.mark.parametrize("path", ["/", "/auth/login", "/organizations", "/audit", "/api/v1/organizations",
                                  "/api/v1/non-esiste", "/non-esiste", "/api/v1/openapi.json"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # only with secure cookies (production)


@pytest.mark.parametrize("path", ["/", "/auth/login", "/organizations", "/audit", "/meetings", "/accessibilita"])
def test_pages_have_no_inline_scripts(client, demo, path):
    """CSP forbids them: an inline script or handler would silently not run."""
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "javascript:" not in html


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Tavolo API" and spec["openapi"].startswith("3.")
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and error["properties"]["error"]["$ref"].endswith("/ErrorBody")
    assert set(spec["components"]["schemas"]["ErrorBody"]["required"]) == {"code", "message"}
