"""The accountant review app (/app) on the real server: users, sessions, CSRF, access rules,
upload through DocumentService.parse, page images, validate through DocumentService.validate.

Browser tests drive Debian's Chromium through Playwright (never a downloaded browser) and save
screenshots of the form into test-artifacts/.
"""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import CLI, b64
from fixtures import make_invoice_image, make_invoice_pdf
from webapp_helpers import PASSWORD, create_user, signed_in, upload

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def wait_done(server, session: requests.Session, uuid: str, timeout: float = 120) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while True:
        data = session.get(f"{server.url}/app/documents/{uuid}/result.json").json()
        if data["state"] != "processing":
            return data
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.3)


def service_of(server):
    from invoice_extract.models.db import Database
    from invoice_extract.models.document_service import DocumentService

    return DocumentService(Database(server.database_url))


# -- users, sessions, CSRF --------------------------------------------------------------------
def test_password_hashing_is_salted_scrypt_and_checked():
    from invoice_extract.models.user import hash_password, verify_password

    first, second = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert first.startswith("scrypt$") and first != second  # salted
    assert verify_password("s3cret-pass", first) and verify_password("s3cret-pass", second)
    assert not verify_password("s3cret-pasS", first)
    assert not verify_password("s3cret-pass", "scrypt$broken") and not verify_password("x", "")


def test_users_cli_creates_a_user_of_the_tokens_account(server):
    token = server.create_account(credits=1, name="cli users")
    login = create_user(server, token)
    for args, message in ((["--account-token", "not-a-token", "--login", "x@y.z", "--password", PASSWORD],
                           "no account"),
                          (["--account-token", token, "--login", login, "--password", PASSWORD], "taken"),
                          (["--account-token", token, "--login", "short@y.z", "--password", "short"], "at least")):
        out = subprocess.run(CLI + ["users", "create", *args, "--database-url", server.database_url],
                             capture_output=True, text=True)
        assert out.returncode != 0 and message in out.stderr, out.stderr
    listed = subprocess.run(CLI + ["users", "list", "--database-url", server.database_url],
                            capture_output=True, text=True, check=True)
    assert login in listed.stdout


def test_sign_in_sets_a_safe_cookie_and_wrong_passwords_fail(server):
    token = server.create_account(credits=1)
    login = create_user(server, token)
    s = requests.Session()
    assert s.get(server.url + "/app/", allow_redirects=False).status_code == 303  # to the sign-in
    page = s.get(server.url + "/app/login")
    assert 'name="login"' in page.text and 'name="password"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = s.post(server.url + "/app/login", data={"login": login, "password": "nope nope nope", "csrf_token": csrf},
                   allow_redirects=False)
    assert wrong.status_code == 401 and "ie_session" not in s.cookies
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', wrong.text).group(1)
    # Sign-in without the double-submit token is refused (login CSRF).
    forged = requests.post(server.url + "/app/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf},
                           allow_redirects=False)
    assert forged.status_code == 403
    ok = s.post(server.url + "/app/login", data={"login": login.upper(), "password": PASSWORD, "csrf_token": csrf,
                                                "next": "https://evil.example/"}, allow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/app/"  # never an off-site redirect
    cookie = ok.headers["set-cookie"]
    assert "ie_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    inbox = s.get(server.url + "/app/")
    assert inbox.status_code == 200 and login in inbox.text
    assert "frame-ancestors 'none'" in inbox.headers["content-security-policy"]
    page_csrf = re.search(r'name="csrf-token" content="([^"]+)"', inbox.text).group(1)
    # Sign out needs the CSRF token too, then the session is gone server-side.
    assert s.post(server.url + "/app/logout", data={}, allow_redirects=False).status_code == 403
    out = s.post(server.url + "/app/logout", data={"csrf_token": page_csrf}, allow_redirects=False)
    assert out.status_code == 303
    stolen = requests.get(server.url + "/app/", cookies={"ie_session": cookie.split(";")[0].split("=", 1)[1]},
                          allow_redirects=False)
    assert stolen.status_code == 303


def test_state_changing_requests_need_the_csrf_token(server):
    from invoice_extract.models.document_service import DocumentRef

    token = server.create_account(credits=5)
    s, csrf = signed_in(server, create_user(server, token))
    refused = s.post(server.url + "/app/upload", files={"files": ("a.pdf", make_invoice_pdf(), "application/pdf")},
                     headers={"Accept": "application/json"})
    assert refused.status_code == 403
    wrong = s.post(server.url + "/app/upload", files={"files": ("a.pdf", make_invoice_pdf(), "application/pdf")},
                   headers={"Accept": "application/json", "X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert server.credits(token) == 5  # nothing parsed, nothing charged
    # Bounded uploads: at most ten files, and a declared length over the limit is refused unread.
    many = s.post(server.url + "/app/upload", headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                  files=[("files", (f"{i}.pdf", b"%PDF-1.4", "application/pdf")) for i in range(11)])
    assert many.status_code == 400
    import http.client
    from urllib.parse import urlparse

    address = urlparse(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest("POST", "/app/upload")
    for name, value in (("Cookie", f"ie_session={s.cookies['ie_session']}"), ("X-CSRF-Token", csrf),
                        ("Content-Type", "multipart/form-data; boundary=x"), ("Content-Length", "999999999999")):
        connection.putheader(name, value)
    connection.endheaders()  # no body sent: the answer comes from the headers alone
    assert connection.getresponse().status == 413
    connection.close()
    assert server.credits(token) == 5
    sent = upload(server, s, csrf, make_invoice_pdf())
    uuid = sent["documents"][0]["document_uuid"]
    wait_done(server, s, uuid)
    values = {"total": {"content": 1.0}}
    assert s.post(f"{server.url}/app/documents/{uuid}/validate", json={"values": values}).status_code == 403
    assert service_of(server).validation_of(DocumentRef(uuid=uuid)) is None
    # Unauthenticated: nothing readable.
    for path in (f"/app/documents/{uuid}/result.json", f"/app/documents/{uuid}/pages/0.png"):
        assert requests.get(server.url + path).status_code == 401


def test_upload_charges_the_users_account_and_api_documents_appear_in_its_inbox(server):
    from invoice_extract.models.document_service import DocumentRef

    token = server.create_account(credits=3, name="charged")
    s, csrf = signed_in(server, create_user(server, token))
    sent = upload(server, s, csrf, make_invoice_image(dpi=100), name="scan.png", mimetype="image/png")
    assert sent["status_code"] == 200 and sent["documents"][0]["status"] == "success"
    assert server.credits(token) == 2
    refused = upload(server, s, csrf, b"hello, not a document", name="notes.txt", mimetype="text/plain")
    assert refused["documents"][0]["status"] == "error_unsupported_format" and server.credits(token) == 2
    # A document parsed through the JSON-RPC API with the account's token is in the users' inbox.
    parsed = server.call("/api/extract/invoice/1/parse", {"account_token": token, "version": 122,
                                                          "documents": [b64(make_invoice_pdf(invoice_id="API-77"))]})
    assert server.credits(token) == 1
    data = wait_done(server, s, parsed["document_uuid"])
    assert data["state"] == "done" and data["pages"] == 1
    inbox = s.get(server.url + "/app/").text
    assert f'data-document="{parsed["document_uuid"]}"' in inbox and "API-77" in inbox
    assert f'data-document="{sent["documents"][0]["document_uuid"]}"' in inbox
    filtered = s.get(server.url + "/app/", params={"q": "API-77"}).text
    assert parsed["document_uuid"] in filtered and sent["documents"][0]["document_uuid"] not in filtered
    png = s.get(f'{server.url}/app/documents/{sent["documents"][0]["document_uuid"]}/pages/0.png')
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    from PIL import Image

    assert Image.open(io.BytesIO(png.content)).size[0] > 500
    assert s.get(f'{server.url}/app/documents/{parsed["document_uuid"]}/pages/5.png').status_code == 404
    # The review app's validate is the JSON-RPC validate: a second one through the API is refused.
    values = {"total": {"content": 1210.0}, "invoice_lines": {"lines": []}}
    answer = s.post(f'{server.url}/app/documents/{parsed["document_uuid"]}/validate', json={"values": values},
                    headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200 and answer.json()["status"] == "success"
    again = server.call("/api/extract/invoice/1/validate", {"document_uuid": parsed["document_uuid"], "values": values})
    assert again["status"] == "error_already_validated"
    assert service_of(server).validation_of(DocumentRef(uuid=parsed["document_uuid"])) == values
    bad = s.post(f'{server.url}/app/documents/{sent["documents"][0]["document_uuid"]}/validate',
                 json={"values": {"total": 12}}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422 and bad.json()["status"] == "error_validation_format"


# -- access rules ---------------------------------------------------------------------------------
def test_access_rules_come_from_the_security_files(tmp_path):
    from sqlalchemy import select

    from invoice_extract.models.access import SECURITY, AccessError, AccessRules, RuleFileError
    from invoice_extract.models.document import Document
    from invoice_extract.models.user import User
    from invoice_extract.models.validation import Validation

    rules = AccessRules.load()
    user = User(id=1, account_id=7, login="a", password_hash="", groups="group_account_member")
    assert rules.allowed(user, Document, "read") and rules.allowed(user, Validation, "create")
    assert not rules.allowed(user, Document, "unlink") and not rules.allowed(user, Validation, "write")
    sql = str(select(Document.id).where(rules.clause(user, Document, "read"))
              .compile(compile_kwargs={"literal_binds": True}))
    assert "documents.account_id = 7" in sql
    outsider = User(id=2, account_id=8, login="b", password_hash="", groups="group_nobody")
    with pytest.raises(AccessError):
        rules.check(outsider, Document, "read")
    # Editing the files changes what is enforced: no validation rights, a group-only rule.
    (tmp_path / "ir.model.access.csv").write_text(
        "\n".join(line for line in (SECURITY / "ir.model.access.csv").read_text().splitlines()
                  if "model_invoice_extract_validation" not in line) + "\n")
    (tmp_path / "ir.rule.csv").write_text(
        "id,name,model_id:id,groups,domain_force,perm_read,perm_write,perm_create,perm_unlink\n"
        "r1,doc,model_invoice_extract_document,group_other,\"[('account_id', '=', user.account_id)]\",1,1,1,1\n")
    edited = AccessRules.load(tmp_path)
    assert not edited.allowed(user, Validation, "create")
    sql = str(select(Document.id).where(edited.clause(user, Document, "read"))
              .compile(compile_kwargs={"literal_binds": True}))
    assert "false" in sql.lower() or "0 = 1" in sql or "1 != 1" in sql  # not in the rule's group: nothing
    (tmp_path / "ir.rule.csv").write_text(
        "id,name,model_id:id,groups,domain_force,perm_read,perm_write,perm_create,perm_unlink\n"
        "r1,doc,model_invoice_extract_document,,\"[('account_id', '=', __import__('os'))]\",1,1,1,1\n")
    with pytest.raises(RuleFileError):
        AccessRules.load(tmp_path)


def test_another_accounts_user_reaches_nothing(server):
    token_a, token_b = server.create_account(credits=2, name="A"), server.create_account(credits=2, name="B")
    sa, csrf_a = signed_in(server, create_user(server, token_a))
    sb, csrf_b = signed_in(server, create_user(server, token_b))
    uuid = upload(server, sa, csrf_a, make_invoice_pdf())["documents"][0]["document_uuid"]
    wait_done(server, sa, uuid)
    base = f"{server.url}/app/documents/{uuid}"
    for path in ("", "/result.json", "/pages/0.png"):
        assert sb.get(base + path).status_code in (403, 404), path
    assert sb.post(base + "/validate", json={"values": {"total": {"content": 1.0}}},
                   headers={"X-CSRF-Token": csrf_b}).status_code in (403, 404)
    assert uuid not in sb.get(server.url + "/app/").text
    assert sa.get(base).status_code == 200 and uuid in sa.get(server.url + "/app/").text


# -- the form in a browser ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install-test` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in_page(browser, server, login: str, width: int = 1280, height: int = 800):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server.url + "/app/login")
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/app/$"))
    return context, page


def word_box(pdf: bytes, text: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a printed word, relative to the page (0..1), from the PDF's text layer."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        words = [w for w in page.extract_words() if w["text"] == text]
        assert words, f"{text!r} is not printed"
        w = words[-1]
        return w["x0"] / page.width, w["top"] / page.height, w["x1"] / page.width, w["bottom"] / page.height


def relative_box(element, image) -> tuple[float, float, float, float]:
    box, img = element.bounding_box(), image.bounding_box()
    return ((box["x"] - img["x"]) / img["width"], (box["y"] - img["y"]) / img["height"],
            (box["x"] + box["width"] - img["x"]) / img["width"], (box["y"] + box["height"] - img["y"]) / img["height"])


def wait_loaded(page, image, timeout: float = 30) -> None:
    """Until the page image is decoded (the app's CSP forbids wait_for_function's eval)."""
    import time

    deadline = time.monotonic() + timeout
    while not image.evaluate("img => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the page image did not load"
        page.wait_for_timeout(100)


def display(feature: str, content) -> str:
    import json

    if feature == "SWIFT_code":
        return json.loads(content)["bic"]
    if isinstance(content, float):
        return f"{content:.2f}"
    return str(content)


def test_review_form_end_to_end(server, browser):
    from invoice_extract.models.document_service import DocumentRef

    ARTIFACTS.mkdir(exist_ok=True)
    token = server.create_account(credits=5, name="Reviewers")
    login = create_user(server, token)
    outsider = create_user(server, server.create_account(credits=1, name="Elsewhere"))
    pdf = make_invoice_pdf()
    context, page = sign_in_page(browser, server, login)
    try:
        # Upload through the file picker: the same parse path as the API, one credit.
        page.set_input_files("#file-input", files=[{"name": "acme-invoice.pdf", "mimeType": "application/pdf",
                                                    "buffer": pdf}])
        page.wait_for_url(re.compile(r".*/app/documents/[0-9a-f-]{36}$"))
        uuid = page.url.rsplit("/", 1)[1]
        page.wait_for_selector('#review[data-state="done"]', timeout=120_000)
        assert server.credits(token) == 4
        result = page.request.get(f"{server.url}/app/documents/{uuid}/result.json").json()
        results = result["results"]
        image = page.locator("#page-image")
        wait_loaded(page, image)

        # Focus total: one box per candidate on the page, over the printed amount.
        page.focus('input[name="total"]')
        total = results["total"]
        on_page = [c for c in total["candidates"] if c["page"] == 0]
        boxes = page.locator('.highlight[data-feature="total"]')
        assert boxes.count() == len(on_page) >= 1
        for i in range(boxes.count()):
            box = boxes.nth(i)
            assert box.get_attribute("data-page") == "0"
            cx, cy, w, h, _angle = total["candidates"][int(box.get_attribute("data-index"))]["coords"]
            x0, y0, x1, y1 = relative_box(box, image)
            assert x0 == pytest.approx(cx - w / 2, abs=0.004) and x1 == pytest.approx(cx + w / 2, abs=0.004)
            assert y0 == pytest.approx(cy - h / 2, abs=0.004) and y1 == pytest.approx(cy + h / 2, abs=0.004)
        selected = page.locator('.highlight.selected[data-feature="total"]')
        assert selected.count() == 1
        sel_index = int(selected.get_attribute("data-index"))
        assert total["candidates"][sel_index]["content"] == total["selected_value"]["content"] == 1210.0
        wx0, wy0, wx1, wy1 = word_box(pdf, "1,210.00")
        x0, y0, x1, y1 = relative_box(selected, image)
        overlap = max(0, min(x1, wx1) - max(x0, wx0)) * max(0, min(y1, wy1) - max(y0, wy0))
        assert overlap >= 0.8 * (wx1 - wx0) * (wy1 - wy0), "the total's box is not over the printed total"
        assert page.input_value('input[name="total"]') == "1210.00"
        page.screenshot(path=str(ARTIFACTS / "review_form_total_1280x800.png"))
        # The README's picture (static/description/review_form.png): a field with two candidates
        # focused, the chosen box marked, at 1280×800.
        page.focus('input[name="VAT_Number"]')
        page.screenshot(path=str(ARTIFACTS / "review_form.png"))

        # Click another candidate of a field that has several: the field takes it.
        feature = next(f for f in ("date", "VAT_Number", "supplier", "payment_ref", "due_date", "iban")
                       if sum(c["page"] == 0 for c in results.get(f, {}).get("candidates", [])) >= 2)
        candidates = results[feature]["candidates"]
        page.focus(f'input[name="{feature}"]')
        current = int(page.locator(f'.highlight.selected[data-feature="{feature}"]').get_attribute("data-index"))
        other = next(i for i, c in enumerate(candidates) if i != current and c["page"] == 0)
        before = page.input_value(f'input[name="{feature}"]')
        page.locator(f'.highlight[data-feature="{feature}"][data-index="{other}"]').click()
        after = page.input_value(f'input[name="{feature}"]')
        assert after == display(feature, candidates[other]["content"]) and after != before
        assert page.locator(f'.highlight.selected[data-feature="{feature}"]').get_attribute("data-index") == str(other)
        page.screenshot(path=str(ARTIFACTS / f"review_form_{feature}_other_candidate.png"))

        # Correct a field by hand (keyboard only): typed values are manual, no box is selected.
        page.focus('input[name="invoice_id"]')
        page.fill('input[name="invoice_id"]', "")
        page.keyboard.type("INV-2024-0042-B")
        assert page.locator('.highlight.selected[data-feature="invoice_id"]').count() == 0
        page.keyboard.press("Enter")  # accepts and moves on
        assert page.evaluate("document.activeElement.name") == "date"


        page.click('[data-action="validate"]')
        page.wait_for_selector('#review[data-state="validated"]')
        assert page.locator('input[name="total"]').evaluate("e => e.readOnly")
        assert page.locator('[data-action="validate"]').is_hidden()
        page.screenshot(path=str(ARTIFACTS / "review_form_validated.png"))

        stored = service_of(server).validation_of(DocumentRef(uuid=uuid))
        assert stored["invoice_id"] == {"content": "INV-2024-0042-B"}
        chosen = candidates[other]
        expected_content = display(feature, chosen["content"]) if feature == "SWIFT_code" else chosen["content"]
        assert stored[feature] == {"content": expected_content,
                                   "box": [display(feature, chosen["content"]), chosen["page"], *chosen["coords"]]}
        assert stored["total"]["content"] == 1210.0 and stored["total"]["box"][1:] == [0, *total["selected_value"]["coords"]]
        lines = stored["invoice_lines"]["lines"]
        assert [line["description"] for line in lines] == ["Office chair", "Standing desk"]
        assert [line["subtotal"] for line in lines] == [600.0, 400.0]
        # Read-only once validated, also after a reload (filled from the stored validation).
        page.reload()
        page.wait_for_selector('#review[data-state="validated"]')
        assert page.input_value('input[name="invoice_id"]') == "INV-2024-0042-B"
        assert page.input_value(f'input[name="{feature}"]') == after
    finally:
        context.close()

    # A user of another account: the form, its images, its result and validate are closed.
    context, page = sign_in_page(browser, server, outsider)
    try:
        assert uuid not in page.content()
        assert page.goto(f"{server.url}/app/documents/{uuid}").status == 404
        assert page.request.get(f"{server.url}/app/documents/{uuid}/result.json").status == 404
        assert page.request.get(f"{server.url}/app/documents/{uuid}/pages/0.png").status == 404
        page.goto(server.url + "/app/")
        csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
        answer = page.request.post(f"{server.url}/app/documents/{uuid}/validate", data={"values": {}},
                                   headers={"X-CSRF-Token": csrf})
        assert answer.status == 404
    finally:
        context.close()


def test_form_shows_progress_then_fills_and_errors_show_their_message(server, browser):
    token = server.create_account(credits=5, name="Progress")
    login = create_user(server, token)
    context, page = sign_in_page(browser, server, login, 1920, 1080)
    try:
        csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
        # An encrypted PDF: read by the worker, it ends in error_password_protected.
        from service_helpers import invoice_pdf

        answer = page.request.post(server.url + "/app/upload", headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                                   multipart={"files": {"name": "locked.pdf", "mimeType": "application/pdf",
                                                        "buffer": invoice_pdf(password="secret")}})
        locked = answer.json()["documents"][0]["document_uuid"]
        answer = page.request.post(server.url + "/app/upload", headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                                   multipart={"files": {"name": "big.pdf", "mimeType": "application/pdf",
                                                        "buffer": make_invoice_pdf(supplier="Gamma Tools BV")}})
        fine = answer.json()["documents"][0]["document_uuid"]
        page.goto(f"{server.url}/app/documents/{fine}")
        # Whether still processing or already done, the form ends up filled by itself.
        page.wait_for_selector('#review[data-state="done"]', timeout=120_000)
        assert page.input_value('input[name="supplier"]') == "Gamma Tools BV"
        page.focus('input[name="supplier"]')
        page.screenshot(path=str(ARTIFACTS / "review_form_1920x1080.png"))
        # The viewer and the fields sit side by side and the validate button is reachable.
        viewer, fields = page.locator(".viewer").bounding_box(), page.locator(".fields").bounding_box()
        assert viewer["x"] + viewer["width"] <= fields["x"] + 1 and fields["width"] >= 420
        page.goto(f"{server.url}/app/documents/{locked}")
        page.wait_for_selector('#review[data-state="error"]', timeout=120_000)
        assert "protected by a password" in page.locator("#status-text").inner_text()
        assert page.locator('[data-action="validate"]').is_disabled()
        # Zoom changes the page's size; the boxes follow since they are relative.
        page.goto(f"{server.url}/app/documents/{fine}")
        page.wait_for_selector('#review[data-state="done"]')
        width = page.locator("#page-frame").bounding_box()["width"]
        page.click('[data-action="zoom-in"]')
        assert page.locator("#page-frame").bounding_box()["width"] > width * 1.2
        # The inbox lists both, with their states.
        page.goto(server.url + "/app/?sort=supplier&order=asc")
        assert page.locator(f'tr[data-document="{fine}"] .badge').inner_text() == "To review"
        assert page.locator(f'tr[data-document="{locked}"] .badge').inner_text() == "Error"
        page.screenshot(path=str(ARTIFACTS / "inbox_1920x1080.png"))
        page.goto(server.url + "/app/?state=error")
        assert page.locator(f'tr[data-document="{locked}"]').count() == 1
        assert page.locator(f'tr[data-document="{fine}"]').count() == 0
    finally:
        context.close()
