"""Run Klippa's generated Python client (``klippa_ocr_api``) against this server (issue #13).

The client is not in this repository and not on PyPI: it is the public repository
CandisIO/klippa-ocr-api-python, kept OUTSIDE the repository (e.g. ``/tmp/klippa-client``, the
folder that holds ``klippa_ocr_api/``) with its own virtualenv (urllib3, six, certifi,
python-dateutil). Only ``configuration.host`` is changed; every call goes through the
client's own request building and response deserialization, which checks enumerations
(``paymentmethod``, ``document_type``, barcode types, bulk results, field types...), required
keys and value ranges, and turns JSON into its model types (``int``, ``bool``, ``datetime``).

    # a fresh server (temporary SQLite database, an account with credits), then every call:
    /tmp/klippa-venv/bin/python bench/klippa_client_check.py --client /tmp/klippa-client --serve

    # or against a running server and an account token of it:
    /tmp/klippa-venv/bin/python bench/klippa_client_check.py --client /tmp/klippa-client \\
        --host http://127.0.0.1:8071/api/v1 --key TOKEN

The documents (a PDF invoice and a receipt photo) are generated in code by the project's
own virtualenv (``--project-python``, default ``.venv/bin/python``) with the test fixtures'
generators. One line per call: ``ok`` or the exception; the exit status is the number of
failed calls (0: all passed). Without the client the script says so and exits 0 (skipped).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from server import free_port, start_server, stop_server  # bench/server.py: this script runs from bench/

REPO = Path(__file__).resolve().parent.parent


# -- documents (run by the project's python: reportlab, Pillow) ----------------------------------
def make_documents(folder: Path) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from fixtures import make_invoice_pdf
    from itemize_helpers import ReceiptSpec, receipt_pdf, receipt_text
    from fixtures import render_pdf

    folder.mkdir(parents=True, exist_ok=True)
    invoice = dict(supplier="Nordlicht Werkzeuge AG", supplier_vat="DE811569869", invoice_id="RE-77-3001",
                   date="02.11.2024", lines=(("Schraubenset", 4, 12.50), ("Akkubohrer", 1, 149.00)),
                   tax_rate=19.0, iban="DE02 1203 0000 0000 2020 51", bic="BYLADEM1001",
                   number_format="1.234,56", currency="EUR")
    (folder / "invoice.pdf").write_bytes(make_invoice_pdf(**invoice))
    spec = ReceiptSpec()
    photo = render_pdf(receipt_pdf(spec), 150).convert("RGB")  # a phone photo: JPEG, greyish paper
    photo = photo.point(lambda v: int(v * 0.93) + 8)
    photo.save(folder / "receipt.jpg", "JPEG", quality=85)
    (folder / "receipt.txt").write_bytes(receipt_text(spec))
    (folder / "truth.json").write_text(json.dumps({
        "invoice_number": invoice["invoice_id"], "receipt_total_cents": int(round(spec.total * 100))}))


# -- the calls -------------------------------------------------------------------------------------
class Checker:
    def __init__(self, k, host: str, key: str):
        self.k, self.host, self.key = k, host, key
        self.results: list[tuple[str, str]] = []
        self.main = None

    def client(self, **api_key):
        configuration = self.k.Configuration(api_key=api_key or {"X-Auth-Key": self.key})
        configuration.host = self.host  # the one change a Klippa user makes
        return self.k.ApiClient(configuration)

    def call(self, name: str, fn, check=None, api=None):
        try:
            value = fn()
            if check:
                check(value)
            raw = getattr(api or self.main, "last_response", None)
            if raw is not None and value is not None:
                problems = strict_types(self.k, json.loads(raw.data), type(value).__name__, "")
                raw.data = "null"  # read once
                if problems:
                    raise TypeError("JSON types the client let through: " + "; ".join(problems[:8]))
            self.results.append((name, "ok"))
            print(f"ok    {name}")
            return value
        except Exception as e:  # the client's own exceptions: ApiException, ValueError, TypeError...
            detail = f"{type(e).__name__}: {e}".replace("\n", " ")[:600]
            self.results.append((name, detail))
            print(f"FAIL  {name}: {detail}")
            if os.environ.get("KLIPPA_CHECK_TRACEBACK"):
                traceback.print_exc()
            return None


def strict_types(k, data, kind: str, path: str) -> list[str]:
    """What the client's lax primitive conversion (``int("12")``, ``int(12.5)``) would hide: every
    value of the raw JSON against the model's declared type. A null is allowed (the client
    accepts it); keys the model does not know are reported too."""
    import re
    from dateutil.parser import parse as parse_date

    if data is None:
        return []
    where = path or "$"
    if kind.startswith("list["):
        if not isinstance(data, list):
            return [f"{where}: {type(data).__name__}, not a list"]
        inner = re.match(r"list\[(.*)\]", kind).group(1)
        return [p for i, item in enumerate(data) for p in strict_types(k, item, inner, f"{path}[{i}]")]
    if kind.startswith("dict("):
        if not isinstance(data, dict):
            return [f"{where}: {type(data).__name__}, not an object"]
        inner = re.match(r"dict\(([^,]*), (.*)\)", kind).group(2)
        return [p for key, item in data.items() for p in strict_types(k, item, inner, f"{path}.{key}")]
    checks = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool),
              "object": lambda v: True}
    if kind in checks:
        return [] if checks[kind](data) else [f"{where}: {data!r} is not {kind}"]
    if kind in ("datetime", "date"):
        try:
            parse_date(data)
            return []
        except (TypeError, ValueError, OverflowError):
            return [f"{where}: {data!r} is not a {kind}"]
    model = getattr(k.models, kind)
    if not isinstance(data, dict):
        return [f"{where}: {type(data).__name__}, not a {kind} object"]
    known = {model.attribute_map[a]: t for a, t in model.openapi_types.items()}
    out = [f"{path}.{key}: not a key of {kind}" for key in data if key not in known and model.openapi_types]
    for key, sub in known.items():
        if key in data:
            out += strict_types(k, data[key], sub, f"{path}.{key}")
    return out


def expect(condition: bool, message: str):
    if not condition:
        raise AssertionError(message)


def run_calls(k, host: str, key: str, docs: Path) -> Checker:
    c = Checker(k, host, key)
    truth = json.loads((docs / "truth.json").read_text())
    api = c.main = c.client()
    info = k.InformationApi(api)
    parsing = k.ParsingApi(api)
    public = k.PublicKeyApi(api)
    subkeys = k.SubKeyApi(api)
    sets = k.UserDataSetsApi(api)

    c.call("get_api_index", info.get_api_index, lambda r: expect(isinstance(r.data, k.APIIndex), "APIIndex"))
    c.call("credits", info.credits, lambda r: expect(isinstance(r.data.spendable_credits, int)
                                                     and isinstance(r.data.uses_credit_system, bool), "GetCredits"))
    c.call("get_fields", info.get_fields, lambda r: expect(r.data.fields and all(
        isinstance(f, k.GetField) for f in r.data.fields), "fields"))
    c.call("get_fields_by_template", lambda: info.get_fields_by_template("financial_full"))
    c.call("get_templates", info.get_templates, lambda r: expect(
        all(isinstance(t, k.RespTemplate) for t in r.data.templates.values()), "templates"))
    c.call("list_statistics_input", info.list_statistics_input)

    invoice = c.call("parse_document (PDF invoice)", lambda: parsing.parse_document(
        document=str(docs / "invoice.pdf"), user_data=json.dumps({"locale": {"language": "de"}})),
        lambda r: expect(isinstance(r.data, k.Receipt) and isinstance(r.data.amount, int)
                         and r.data.invoice_number == truth["invoice_number"], f"Receipt {r.data}"))
    if invoice:
        print(f"      amount={invoice.data.amount} vatamount={invoice.data.vatamount} "
              f"paymentmethod={invoice.data.paymentmethod!r} document_type={invoice.data.document_type!r} "
              f"lines={sum(len(line.lineitems or []) for line in invoice.data.lines or [])}")
    photo = c.call("parse_document (receipt photo)", lambda: parsing.parse_document(document=str(docs / "receipt.jpg")),
                   lambda r: expect(isinstance(r.data, k.Receipt) and isinstance(r.data.amount, int), "Receipt"))
    if photo:
        print(f"      amount={photo.data.amount} (printed {truth['receipt_total_cents']}) "
              f"paymentmethod={photo.data.paymentmethod!r} document_type={photo.data.document_type!r}")
    c.call("parse_text", lambda: parsing.parse_text(body=k.TextUploadForm(
        text=(docs / "receipt.txt").read_text(), template="financial_full")),
        lambda r: expect(isinstance(r.data, k.Receipt) and r.data.amount == truth["receipt_total_cents"],
                         f"amount {r.data.amount}"))
    c.call("parse_structured_pdf", lambda: parsing.parse_structured_pdf(str(docs / "invoice.pdf")),
           lambda r: expect(r.data.invoice_number == truth["invoice_number"], "invoice_number"))

    created = c.call("create_public_key", lambda: public.create_public_key(
        body=k.CreatePublicKeyForm(scan_limit=2, valid_time=600, external_id="user-7")),
        lambda r: expect(isinstance(r.data.id, int) and r.data.public_key, "CreatePublicKey"))
    if created:
        key_id = str(created.data.id)
        c.call("public_key_info_by_id", lambda: public.public_key_info_by_id(key_id),
               lambda r: expect(r.data.scan_limit == 2 and r.data.is_valid is True, "GetPublicKeyInfo"))
        with c.client(**{"X-Auth-Public-Key": created.data.public_key}) as public_client:
            c.call("parse_document (public key)", lambda: k.ParsingApi(public_client).parse_document(
                document=str(docs / "receipt.jpg"), template="financial_full"), api=public_client)
            c.call("public_key_info (public key)", k.PublicKeyApi(public_client).public_key_info,
                   lambda r: expect(r.data.id == created.data.id and r.data.used_scans == 1
                                    and r.data.available_scans == 1, f"scans {r.data}"), api=public_client)
        c.call("public_key_statistics", lambda: public.public_key_statistics(key_id),
               lambda r: expect(sum(row.count for row in r.data) == 1, f"rows {r.data}"))

    sub = c.call("create_sub_key", lambda: subkeys.create_sub_key(body=k.SubKeyForm(name="branch office")),
                 lambda r: expect(isinstance(r.data, k.Key) and r.data.key, "Key"))
    if sub:
        sub_id = str(sub.data.id)
        c.call("sub_key_list", lambda: subkeys.sub_key_list(per_page=10, page=1),
               lambda r: expect(any(s.id == sub.data.id for s in r.data.sub_keys), "listed"))
        c.call("get_sub_key", lambda: subkeys.get_sub_key(sub_id))
        c.call("update_sub_key", lambda: subkeys.update_sub_key(sub_id))
        with c.client(**{"X-Auth-Key": sub.data.key}) as sub_client:
            c.call("parse_text (sub key)", lambda: k.ParsingApi(sub_client).parse_text(body=k.TextUploadForm(
                text=(docs / "receipt.txt").read_text())), api=sub_client)
            c.call("credits (sub key)", k.InformationApi(sub_client).credits, api=sub_client)
        c.call("sub_key_statistics", lambda: subkeys.sub_key_statistics(sub_id),
               lambda r: expect(sum(row.count for row in r.data) == 1, f"rows {r.data}"))
        c.call("delete_sub_key", lambda: subkeys.delete_sub_key(sub_id),
               lambda r: expect(r.data.deleted is True, "deleted"))

    data_set = c.call("create_user_data_set", lambda: sets.create_user_data_set(
        body=k.CreateUserDataSetForm(external_id="suppliers", type="relation")),
        lambda r: expect(isinstance(r.data, k.UserDataSet) and isinstance(r.data.id, int), "UserDataSet"))
    if data_set:
        set_id = data_set.data.id
        c.call("get_user_data_sets", lambda: sets.get_user_data_sets(per_page=10, type="relation"),
               lambda r: expect(any(s.id == set_id for s in r.data.user_data_sets), "listed"))
        c.call("get_user_data_set", lambda: sets.get_user_data_set(set_id))
        c.call("update_user_data_set", lambda: sets.update_user_data_set(set_id, body=k.UpdateUserDataSetForm(
            last_sync_date="2024-11-02T10:00:00Z")))
        record = c.call("create_user_data_set_record", lambda: sets.create_user_data_set_record(
            set_id, body=k.CreateUserDataSetRecordForm(external_id="nordlicht", values=[
                k.UserDataSetRecordValueForm(name="name", value="Nordlicht Werkzeuge AG"),
                k.UserDataSetRecordValueForm(name="vat_number", value="DE811569869")])),
            lambda r: expect(isinstance(r.data, k.UserDataSetRecord), "UserDataSetRecord"))
        c.call("bulk_user_data_set_record", lambda: sets.bulk_user_data_set_record(
            set_id, body=k.BulkUserDataSetRecordForm(actions=[
                k.BulkUserDataSetRecordActionForm(action="create", external_id="other", values=[
                    k.UserDataSetRecordValueForm(name="name", value="Other GmbH")]),
                k.BulkUserDataSetRecordActionForm(action="delete", external_id="missing")])),
            lambda r: expect([x.result for x in r.data] == ["created", "failure"], "bulk results"))
        c.call("get_user_data_set_records", lambda: sets.get_user_data_set_records(
            set_id, per_page=10, filter="ExternalID:nordlicht:EQ"),
            lambda r: expect([x.external_id for x in r.data.user_data_set_records] == ["nordlicht"], "filter"))
        if record:
            record_id = record.data.id
            c.call("get_user_data_set_record", lambda: sets.get_user_data_set_record(set_id, record_id))
            c.call("update_user_data_set_record", lambda: sets.update_user_data_set_record(
                set_id, record_id, body=k.UpdateUserDataSetRecordForm(values=[
                    k.UserDataSetRecordValueForm(name="name", value="Nordlicht Werkzeuge AG")])))
            c.call("parse_document (user_data_set_external_id)", lambda: parsing.parse_document(
                document=str(docs / "invoice.pdf"), user_data_set_external_id="suppliers"),
                lambda r: expect(r.data.merchant_id == "nordlicht", f"merchant_id {r.data.merchant_id!r}"))
            c.call("delete_user_data_set_record", lambda: sets.delete_user_data_set_record(set_id, record_id),
                   lambda r: expect(r.data.deleted is True, "deleted"))
        c.call("delete_user_data_set", lambda: sets.delete_user_data_set(set_id),
               lambda r: expect(r.data.deleted is True, "deleted"))
    c.call("credits (after the scans)", info.credits,
           lambda r: expect(r.data.used_credits >= 1, f"used {r.data.used_credits}"))
    c.call("list_statistics_input (after the scans)", info.list_statistics_input,
           lambda r: expect(sum(row.count for row in r.data) >= 1, f"rows {r.data}"))
    return c


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client", required=False, help="folder that holds the client's klippa_ocr_api/ package")
    parser.add_argument("--host", help="the server's Klippa base URL, e.g. http://127.0.0.1:8071/api/v1")
    parser.add_argument("--key", help="an account token of that server")
    parser.add_argument("--serve", action="store_true", help="start a fresh server (temporary SQLite) and an account")
    parser.add_argument("--port", type=int, default=0, help="port of the fresh server (default: a free one)")
    parser.add_argument("--project-python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--make-documents", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.make_documents:
        make_documents(Path(args.make_documents))
        return 0
    client_dir = Path(args.client) if args.client else None
    if not client_dir or not (client_dir / "klippa_ocr_api" / "__init__.py").is_file():
        print(f"skipped: Klippa's generated client is not at --client {args.client!r} (the folder holding "
              "klippa_ocr_api/; see README, Klippa Custom OCR API)")
        return 0
    sys.path.insert(0, str(client_dir))
    try:
        import klippa_ocr_api as k
    except ImportError as e:
        print(f"skipped: the client does not import here ({e}); run this script with the client's virtualenv")
        return 0
    work = Path(tempfile.mkdtemp(prefix="klippa-check-"))
    subprocess.run([args.project_python, __file__, "--make-documents", str(work / "docs")], check=True)
    process = None
    host, key = args.host, args.key
    try:
        if args.serve:
            cli = str(Path(args.project_python).parent / "invoice-extract")
            port = args.port or free_port()
            process, key = start_server(cli, work, port, workers=1, credits=50, name="klippa-client-check")
            host = f"http://127.0.0.1:{port}/api/v1"
            print(f"fresh server on {host} (log {work / 'server.log'})")
        if not host or not key:
            parser.error("give --serve, or --host and --key")
        checker = run_calls(k, host, key, work / "docs")
    finally:
        if process:
            stop_server(process)
    failed = [name for name, outcome in checker.results if outcome != "ok"]
    print(f"{len(checker.results) - len(failed)} passed, {len(failed)} failed")
    return len(failed)


if __name__ == "__main__":
    sys.exit(main())
