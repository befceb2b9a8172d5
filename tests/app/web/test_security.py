"""Who may write, and how: reader cookies, CSRF on forms and the API, the write token off
loopback, one upvote per reader, Host checks, open redirects, security headers; stars and
upvotes kept in the archive across server restarts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from paperfeed.app.web.security import READER_COOKIE, is_loopback, safe_next
from tests.support.web_samples import (
    CRAFTED,
    CROSS,
    RL_PAPER,
    csrf_token,
    options,
    web_client,
)

TOKEN = "correct horse battery staple"


def form_token(client: TestClient, path: str = f"/day/{CRAFTED}") -> str:
    """The CSRF token a page's forms carry (loading the page also sets the reader cookie)."""
    page = html.fromstring(client.get(path).text)
    token = page.xpath('//form[@id="react-form"]/input[@name="csrf"]')[0].get("value")
    assert page.xpath('//meta[@name="csrf-token"]')[0].get("content") == token
    return str(token)


def counts(db: Path, arxiv_id: str) -> tuple[int, int]:
    with sqlite3.connect(db) as raw:
        stars = raw.execute("SELECT count(*) FROM web_stars WHERE arxiv_id = ?", (arxiv_id,))
        star_count = stars.fetchone()[0]
        votes = raw.execute("SELECT count(*) FROM web_upvotes WHERE arxiv_id = ?", (arxiv_id,))
        return star_count, votes.fetchone()[0]


# -- loopback: any local browser may write, with its CSRF token --------------------------------


def test_the_star_form_stars_and_goes_back_to_the_card(db: Path) -> None:
    with web_client(options(db)) as client:
        token = form_token(client)
        response = client.post(
            f"/star/{RL_PAPER}",
            data={"csrf": token, "next": f"/day/{CRAFTED}"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/day/{CRAFTED}#p-{RL_PAPER}"
        assert counts(db, RL_PAPER) == (1, 0)
        page = html.fromstring(client.get(f"/day/{CRAFTED}").text)
        # The count on the card, and this reader's marks for the script to press the button.
        star = page.xpath(f'//article[@id="p-{RL_PAPER}"]//button[@data-kind="star"]')[0]
        assert star.xpath('.//span[@class="count"]')[0].text == "1"
        assert page.xpath("//body")[0].get("data-starred") == RL_PAPER
        # The same form again takes the star back (a toggle, like the button).
        client.post(f"/star/{RL_PAPER}", data={"csrf": token}, follow_redirects=False)
        assert counts(db, RL_PAPER) == (0, 0)


@pytest.mark.parametrize(
    ("form", "with_cookie"),
    [
        ({}, True),  # no token
        ({"csrf": "0" * 32}, True),  # a wrong token
        ({"csrf": "from another reader"}, False),  # no reader cookie: a cross-site post
    ],
)
def test_forms_without_the_readers_token_are_refused(
    db: Path, form: dict[str, str], with_cookie: bool
) -> None:
    with web_client(options(db)) as client:
        if with_cookie:
            form_token(client)
        for path in (f"/star/{RL_PAPER}", f"/upvote/{RL_PAPER}"):
            response = client.post(path, data=form, follow_redirects=False)
            assert response.status_code == 403
            assert "security token is missing or stale" in response.text
    assert counts(db, RL_PAPER) == (0, 0)


def test_another_readers_token_does_not_work(db: Path) -> None:
    with web_client(options(db)) as alice, web_client(options(db)) as mallory:
        alice_token = form_token(alice)
        form_token(mallory)
        response = mallory.post(
            f"/upvote/{RL_PAPER}", data={"csrf": alice_token}, follow_redirects=False
        )
        assert response.status_code == 403
    assert counts(db, RL_PAPER) == (0, 0)


def test_a_forged_reader_cookie_makes_a_new_reader(db: Path) -> None:
    with web_client(options(db)) as client:
        token = csrf_token(client)
        client.post(f"/api/stars/{RL_PAPER}", headers={"X-CSRF-Token": token})
        cookie = client.cookies[READER_COOKIE]
        reader_id, signature = cookie.split(".")
        client.cookies.clear()
        client.cookies.set(READER_COOKIE, f"someone-else.{signature}")
        assert client.get("/api/stars").json() == {"results": []}
        response = client.post(f"/api/stars/{CROSS}", headers={"X-CSRF-Token": token})
        assert response.status_code == 403
        assert reader_id != "someone-else"


def test_api_writes_need_the_csrf_header(db: Path) -> None:
    with web_client(options(db)) as client:
        csrf_token(client)
        response = client.post(f"/api/upvotes/{RL_PAPER}")
        assert response.status_code == 403
        assert "X-CSRF-Token is missing" in response.json()["detail"]
        response = client.post(f"/api/upvotes/{RL_PAPER}", headers={"X-CSRF-Token": "nope"})
        assert response.status_code == 403
    assert counts(db, RL_PAPER) == (0, 0)


def test_one_upvote_per_reader_per_paper(db: Path) -> None:
    with web_client(options(db)) as alice, web_client(options(db)) as bob:
        alice_token, bob_token = csrf_token(alice), csrf_token(bob)
        for _ in range(3):
            state = alice.post(f"/api/upvotes/{RL_PAPER}", headers={"X-CSRF-Token": alice_token})
            assert state.json() == {
                "id": RL_PAPER,
                "stars": 0,
                "upvotes": 1,
                "starred": False,
                "upvoted": True,
            }
        # The form cannot add a second vote either: it toggles the reader's one vote.
        alice.post(f"/upvote/{RL_PAPER}", data={"csrf": alice_token}, follow_redirects=False)
        assert counts(db, RL_PAPER) == (0, 0)
        alice.post(f"/upvote/{RL_PAPER}", data={"csrf": alice_token}, follow_redirects=False)
        state = bob.post(f"/api/upvotes/{RL_PAPER}v2", headers={"X-CSRF-Token": bob_token})
        assert state.json()["upvotes"] == 2  # a version in the id names the same paper
        assert counts(db, RL_PAPER) == (0, 2)
        state = bob.delete(f"/api/upvotes/{RL_PAPER}", headers={"X-CSRF-Token": bob_token})
        assert (state.json()["upvotes"], state.json()["upvoted"]) == (1, False)
        missing = bob.post("/api/upvotes/2699.99999", headers={"X-CSRF-Token": bob_token})
        assert missing.status_code == 404


def test_stars_and_upvotes_survive_a_restart(db: Path) -> None:
    with web_client(options(db)) as client:
        token = csrf_token(client)
        client.post(f"/api/stars/{RL_PAPER}", headers={"X-CSRF-Token": token})
        client.post(f"/api/upvotes/{CROSS}", headers={"X-CSRF-Token": token})
        cookie = client.cookies[READER_COOKIE]
    # A new server process over the same file: the same signing key, the same reader.
    with web_client(options(db)) as client:
        client.cookies.set(READER_COOKIE, cookie)
        assert [s["paper"]["id"] for s in client.get("/api/stars").json()["results"]] == [RL_PAPER]
        page = html.fromstring(client.get("/stars").text)
        assert [a.get("id") for a in page.xpath("//article")] == [f"p-{RL_PAPER}"]
        assert html.fromstring(client.get("/").text).xpath("//body")[0].get("data-upvoted") == (
            CROSS
        )
        assert client.get("/api/session").json()["csrf_token"] == token


# -- another address: writes need the token ----------------------------------------------------


def test_off_loopback_writes_need_the_token(db: Path) -> None:
    with web_client(options(db, bind_host="0.0.0.0", write_token=TOKEN)) as client:
        session = client.get("/api/session").json()
        assert (session["can_write"], session["login_required"]) == (False, True)
        token = session["csrf_token"]
        response = client.post(f"/api/stars/{RL_PAPER}", headers={"X-CSRF-Token": token})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        wrong = client.post(
            f"/api/stars/{RL_PAPER}",
            headers={"X-CSRF-Token": token, "Authorization": "Bearer guess"},
        )
        assert wrong.status_code == 401
        # The form sends the reader to log in, and back afterwards.
        response = client.post(
            f"/star/{RL_PAPER}", data={"csrf": token, "next": "/trending"}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Ftrending"
        assert counts(db, RL_PAPER) == (0, 0)
        assert "need the access token" in client.get("/").text
        # A script may send the token itself.
        response = client.post(
            f"/api/stars/{RL_PAPER}",
            headers={"X-CSRF-Token": token, "Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200
        assert counts(db, RL_PAPER) == (1, 0)


def test_logging_in_with_the_token_lets_the_browser_write(db: Path) -> None:
    with web_client(options(db, bind_host="0.0.0.0", write_token=TOKEN)) as client:
        token = form_token(client, "/login?next=/trending")
        response = client.post(
            "/login", data={"token": "guess", "csrf": token, "next": "/trending"}
        )
        assert response.status_code == 403
        assert "That is not the token." in response.text
        no_csrf = client.post("/login", data={"token": TOKEN, "next": "/trending"})
        assert no_csrf.status_code == 403
        response = client.post(
            "/login",
            data={"token": TOKEN, "csrf": token, "next": "//evil.example/"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"  # never to another host
        assert "httponly" in response.headers["set-cookie"].lower()
        assert client.get("/api/session").json()["can_write"] is True
        response = client.post(f"/upvote/{CROSS}", data={"csrf": token}, follow_redirects=False)
        assert response.status_code == 303
    assert counts(db, CROSS) == (0, 1)


def test_off_loopback_without_a_token_the_site_is_read_only(db: Path) -> None:
    with web_client(options(db, bind_host="192.0.2.7")) as client:
        token = csrf_token(client)
        response = client.post(f"/api/upvotes/{RL_PAPER}", headers={"X-CSRF-Token": token})
        assert response.status_code == 403
        assert "writes are off" in response.json()["detail"]
        response = client.post(f"/upvote/{RL_PAPER}", data={"csrf": token})
        assert response.status_code == 403
        assert "no PAPERFEED_WEB_TOKEN was set" in response.text
        assert client.get("/").status_code == 200  # reading works


# -- hosts, redirects, headers ----------------------------------------------------------------


def test_on_loopback_only_loopback_host_names_are_served(db: Path) -> None:
    # A page elsewhere cannot reach this server by pointing its own name at 127.0.0.1.
    with web_client(options(db)) as client:
        assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
        assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    with web_client(options(db, bind_host="0.0.0.0", write_token=TOKEN)) as client:
        assert client.get("/", headers={"host": "papers.lab.example"}).status_code == 200


def test_form_redirects_stay_on_this_site(db: Path) -> None:
    with web_client(options(db)) as client:
        token = form_token(client)
        for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "day"):
            response = client.post(
                f"/upvote/{RL_PAPER}",
                data={"csrf": token, "next": target},
                follow_redirects=False,
            )
            assert response.headers["location"] == f"/#p-{RL_PAPER}"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/day/2026-06-04?x=1", "/day/2026-06-04?x=1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("::", False),
        ("papers.example", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_every_response_carries_the_security_headers(db: Path) -> None:
    with web_client(options(db)) as client:
        for path in ("/", "/api/digests", "/no/such/page", "/api/nope"):
            headers = client.get(path).headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
            assert headers["referrer-policy"] == "same-origin"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
        cookie = client.get("/").headers.get("set-cookie")
        assert cookie is None  # the reader already has one from the first request
    with web_client(options(db)) as fresh:
        cookie = fresh.get("/").headers["set-cookie"]
        assert cookie.startswith(f"{READER_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
