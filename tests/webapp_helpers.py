"""Using the review app (/app) from tests without a browser: users, a signed-in session, uploads."""
from __future__ import annotations

import re
import subprocess
import uuid as uuidlib

import requests

from conftest import CLI

PASSWORD = "correct horse battery"


def create_user(server, token: str, login: str | None = None, password: str = PASSWORD) -> str:
    login = login or f"user-{uuidlib.uuid4().hex[:10]}@example.test"
    out = subprocess.run(CLI + ["users", "create", "--account-token", token, "--login", login,
                                "--password", password, "--database-url", server.database_url],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return login


def signed_in(server, login: str, password: str = PASSWORD) -> tuple[requests.Session, str]:
    """A requests session signed in through the form; returns it with the page CSRF token."""
    s = requests.Session()
    page = s.get(server.url + "/app/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = s.post(server.url + "/app/login", data={"login": login, "password": password, "csrf_token": csrf,
                                               "next": "/app/"})
    assert r.status_code == 200 and r.url.endswith("/app/"), r.text[:500]
    return s, re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)


def upload(server, session: requests.Session, csrf: str, data: bytes, name: str = "invoice.pdf",
           mimetype: str = "application/pdf") -> dict:
    r = session.post(server.url + "/app/upload", files={"files": (name, data, mimetype)},
                     headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    return {"status_code": r.status_code, **r.json()}
