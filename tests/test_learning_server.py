"""Learning through the real server: a validation sent over JSON-RPC, or from the review
form (/app), makes the supplier's next bill come out right for that account only."""
from __future__ import annotations

import subprocess

import requests

from conftest import CLI, b64
from learning_helpers import bill, learned_features, selected
from webapp_helpers import create_user, signed_in, upload



def parse_v2(server, token: str, pdf: bytes) -> tuple[str, dict]:
    parsed = server.call("/api/extract/invoice/2/parse", {"account_token": token, "version": 123,
                                                          "documents": [b64(pdf)], "file_names": ["bill.pdf"]})
    assert parsed["status"] == "success", parsed
    result = server.wait("/api/extract/invoice/2/get_result", {"version": 123, "account_token": token,
                                                               "document_token": parsed["document_token"]})
    assert result["status"] == "success", result
    return parsed["document_token"], result["results"][0]


def test_validate_over_json_rpc_teaches_the_next_bill(server):
    token, other = server.create_account(credits=10), server.create_account(credits=10)
    pdf0, values0 = bill(0, supplier="Rpc Learning Supplies", vat="DE811128135")
    doc0, first = parse_v2(server, token, pdf0)
    assert selected(first, "invoice_id") != "77-010"  # the plain engine misses this label
    validated = server.call("/api/extract/invoice/2/validate", {"version": 123, "account_token": token,
                                                                "document_token": doc0, "values": values0})
    assert validated["status"] == "success", validated
    pdf1, values1 = bill(1, supplier="Rpc Learning Supplies", vat="DE811128135")
    _, second = parse_v2(server, token, pdf1)
    assert selected(second, "invoice_id") == "77-111"
    assert selected(second, "subtotal") == values1["subtotal"]["content"]
    assert selected(second, "total") == values1["total"]["content"]
    assert {"invoice_id", "subtotal"} <= learned_features(second)
    assert second["invoice_id"]["selected_value"]["learned"] is True
    # another account sending the same supplier's bill learned nothing
    _, theirs = parse_v2(server, other, pdf1)
    assert not learned_features(theirs)
    # inspect and reset with the CLI
    out = subprocess.run(CLI + ["learning", "show", "--account-token", token, "--database-url", server.database_url],
                         capture_output=True, text=True, check=True).stdout
    assert "Rpc Learning Supplies" in out and "learned 1" in out
    subprocess.run(CLI + ["learning", "reset", "--account-token", token, "--database-url", server.database_url],
                   capture_output=True, text=True, check=True)
    _, after_reset = parse_v2(server, token, pdf1)
    assert not learned_features(after_reset)


def _upload_and_wait(server, s: requests.Session, csrf: str, pdf: bytes) -> tuple[str, dict]:
    import time

    sent = upload(server, s, csrf, pdf, name="bill.pdf")
    assert sent["status_code"] == 200, sent
    uuid = sent["documents"][0]["document_uuid"]
    deadline = time.monotonic() + 120
    while True:
        data = s.get(f"{server.url}/app/documents/{uuid}/result.json").json()
        if data["state"] != "processing":
            return uuid, data
        assert time.monotonic() < deadline
        time.sleep(0.3)


def test_validate_from_the_review_form_teaches_the_next_bill(server):
    token = server.create_account(credits=10)
    s, csrf = signed_in(server, create_user(server, token))
    pdf0, values0 = bill(0, supplier="Form Learning Traders", vat="DE811128135",
                         iban="FR76 3000 6000 0112 3456 7890 189")
    uuid0, data = _upload_and_wait(server, s, csrf, pdf0)
    results = data["results"]
    # as the form sends them: a value picked from a box carries it; the invoice number, which
    # no candidate had, is typed
    form_values = {}
    for feature, value in values0.items():
        entry = results.get(feature) or {}
        picked = [c for c in entry.get("candidates", []) if str(c["content"]) == str(value["content"])]
        if picked:
            c = picked[0]
            form_values[feature] = {"content": value["content"], "box": [str(c["content"]), c["page"], *c["coords"]]}
        else:
            form_values[feature] = value
    r = s.post(f"{server.url}/app/documents/{uuid0}/validate", json={"values": form_values},
               headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["status"] == "success", r.text
    pdf1, values1 = bill(1, supplier="Form Learning Traders", vat="DE811128135",
                         iban="FR76 3000 6000 0112 3456 7890 189")
    _, data = _upload_and_wait(server, s, csrf, pdf1)
    second = data["results"]
    for feature in ("invoice_id", "subtotal", "total", "date", "iban"):
        assert str(selected(second, feature)) == str(values1[feature]["content"]), feature
    assert "invoice_id" in learned_features(second)
