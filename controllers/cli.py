"""The ``invoice-extract`` command: serve the API, manage accounts, extract files, call a server.

Configuration: ``--database-url`` or INVOICE_EXTRACT_DATABASE_URL (default
``sqlite:///var/invoice_extract.sqlite3``), INVOICE_EXTRACT_LOG_LEVEL (INFO); the workers
and webhooks read their own variables (see ``models.worker`` and ``models.webhook``).
Every command that opens the database runs the migrations first.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

import click

DOCUMENT_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp"}


def _database(url: str | None):
    from ..models.db import Database

    db = Database(url)
    db.migrate()
    return db


@click.group()
@click.option("--log-level", default=os.environ.get("INVOICE_EXTRACT_LOG_LEVEL", "INFO"), show_default=True)
def main(log_level: str) -> None:
    """Self-hosted invoice and receipt extraction speaking Odoo's Extract API."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration check is noise


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8069, show_default=True, type=int)
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None,
              help="SQLAlchemy URL [default: sqlite:///var/invoice_extract.sqlite3]")
@click.option("--workers", default=None, type=int, help="extraction worker processes [default: one per core]")
def serve(host: str, port: int, database_url: str | None, workers: int | None) -> None:
    """Serve the Extract API (JSON-RPC) with extraction workers."""
    import uvicorn

    from ..models.document_service import DocumentService
    from ..models.itemize import schedule_events
    from ..models.webhook import WebhookSender
    from ..models.worker import WorkerPool
    from .app import create_app

    db = _database(database_url)
    pool = WorkerPool(db.url, workers).start()
    sender = WebhookSender(db, producers=(schedule_events,)).start()  # + Itemize's events
    # uvicorn re-raises SIGTERM once it has shut down; turned into SystemExit here, it lets the
    # finally clause stop the workers instead of killing the process on the spot.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(create_app(DocumentService(db)), host=host, port=port, log_level="info")
    finally:
        sender.stop()
        pool.stop()


@main.group()
def accounts() -> None:
    """Create and inspect accounts and their credits."""


@accounts.command("create")
@click.option("--credits", "credits_", default=0, type=int, show_default=True)
@click.option("--name", default="")
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def accounts_create(credits_: int, name: str, database_url: str | None) -> None:
    """Create an account; its token is printed once, as the last line."""
    from ..models.account import create_account

    if credits_ < 0:
        raise click.BadParameter("credits cannot be negative", param_hint="--credits")
    with _database(database_url).session() as session:
        account, token = create_account(session, name, credits_)
        click.echo(f"account {account.id} ({name or 'unnamed'}) with {credits_} credits; token:")
    click.echo(token)


@accounts.command("list")
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def accounts_list(database_url: str | None) -> None:
    from sqlalchemy import select

    from ..models.account import Account

    with _database(database_url).session() as session:
        for account in session.scalars(select(Account).order_by(Account.id)):
            click.echo(f"{account.id}\t{account.name}\t{account.credits} credits\tcreated {account.created_at:%Y-%m-%d}")


@accounts.command("add-credits")
@click.argument("account")
@click.argument("amount", type=int)
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def accounts_add_credits(account: str, amount: int, database_url: str | None) -> None:
    """Add AMOUNT credits to ACCOUNT (its id or its token)."""
    from ..models.account import Account, find_account, give_credit

    if amount <= 0:
        raise click.BadParameter("amount must be positive", param_hint="AMOUNT")
    with _database(database_url).session() as session:
        found = session.get(Account, int(account)) if account.isdigit() else find_account(session, account)
        if found is None:
            raise click.ClickException("no such account")
        give_credit(session, found.id, amount)
        session.refresh(found)
        click.echo(f"account {found.id}: {found.credits} credits")


@accounts.command("data-set")
@click.argument("account")
@click.argument("level", type=click.Choice(["L1", "L2", "L3", "Custom"]))
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def accounts_data_set(account: str, level: str, database_url: str | None) -> None:
    """Set the Itemize data level of ACCOUNT (its id or its token): which Document fields the
    Itemize API returns (README, Itemize)."""
    from ..models.account import Account, find_account
    from ..models.itemize import set_data_set

    with _database(database_url).session() as session:
        found = session.get(Account, int(account)) if account.isdigit() else find_account(session, account)
        if found is None:
            raise click.ClickException("no such account")
        set_data_set(session, found.id, level)
        click.echo(f"account {found.id}: data_set {level}")


@main.group()
def users() -> None:
    """Accountant users of the review app (/app): each belongs to one account."""


@users.command("create")
@click.option("--account-token", required=True, help="token of the account the user belongs to")
@click.option("--login", "login_", required=True)
@click.option("--password", default=None, help="at least 8 characters [default: asked]")
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def users_create(account_token: str, login_: str, password: str | None, database_url: str | None) -> None:
    """Create a user of the account that owns --account-token."""
    from ..models.user import UserError, create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _database(database_url).session() as session:
            user = create_user(session, account_token, login_, password)
            click.echo(f"user {user.id} ({user.login}) of account {user.account_id}")
    except UserError as e:
        raise click.ClickException(str(e))


@users.command("list")
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def users_list(database_url: str | None) -> None:
    from sqlalchemy import select

    from ..models.user import User

    with _database(database_url).session() as session:
        for user in session.scalars(select(User).order_by(User.id)):
            click.echo(f"{user.id}\t{user.login}\taccount {user.account_id}\t{'active' if user.active else 'inactive'}")


@main.group()
def learning() -> None:
    """What validations taught about each account's suppliers (see README, Learning)."""


def _account_of(session, account_token: str):
    from ..models.account import find_account

    account = find_account(session, account_token)
    if account is None:
        raise click.ClickException("no account has this token")
    return account


@learning.command("show")
@click.option("--account-token", required=True, help="token of the account whose learning to show")
@click.option("--json", "as_json", is_flag=True, help="print the profiles as the engine receives them")
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def learning_show(account_token: str, as_json: bool, database_url: str | None) -> None:
    """The account's supplier profiles: identity, and per field the learned label, position
    and value with their support (votes / validations)."""
    from ..extraction.learning import summary
    from ..models.learning import learning_status, load_profiles

    with _database(database_url).session() as session:
        account = _account_of(session, account_token)
        profiles = load_profiles(session, account.id)
        status = learning_status(session, account.id)
    if as_json:
        click.echo(json.dumps({"account": account.id, "validations": status, "profiles": profiles},
                              ensure_ascii=False, indent=1))
        return
    click.echo(f"account {account.id}: {len(profiles)} supplier profile(s); validations "
               + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))
    for profile in profiles:
        digest = summary(profile)
        click.echo(f"\nprofile {profile['id']}: {digest['name']} ({digest['documents']} validated document(s))")
        for key, votes in digest["identity"].items():
            click.echo(f"  {key}: {', '.join(votes)}")
        if digest.get("payment_terms_days"):
            click.echo(f"  payment terms (days): {digest['payment_terms_days']}")
        for feature, item in digest["fields"].items():
            click.echo(f"  {feature}: " + "; ".join(f"{k} {v}" for k, v in item.items()))


@learning.command("reset")
@click.option("--account-token", required=True, help="token of the account whose learning to forget")
@click.option("--database-url", envvar="INVOICE_EXTRACT_DATABASE_URL", default=None)
def learning_reset(account_token: str, database_url: str | None) -> None:
    """Forget everything the account's validations taught (other accounts keep theirs)."""
    from ..models.learning import reset_account

    with _database(database_url).session() as session:
        account = _account_of(session, account_token)
        removed = reset_account(session, account.id)
    click.echo(f"account {account.id}: {removed} supplier profile(s) forgotten")


def _options(document_type, perspective, user_company_vat, user_company_country_code, user_lang):
    from ..extraction import ExtractOptions

    return ExtractOptions(document_type=document_type, perspective=perspective,
                          user_company_vat=user_company_vat,
                          user_company_country_code=user_company_country_code, user_lang=user_lang)


def _extract_to(task) -> tuple[str, str | None]:
    from ..extraction import ExtractionError, extract

    path, out, options = task
    try:
        result = extract(Path(path).read_bytes(), Path(path).name, options)
    except ExtractionError as e:
        return path, f"{e.status}: {e}"
    except Exception as e:  # an engine bug on one file must not stop the batch
        return path, f"error_internal: {type(e).__name__}: {e}"
    Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return path, None


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--document-type", type=click.Choice(["invoice", "expense"]), default="invoice", show_default=True)
@click.option("--perspective", type=click.Choice(["client", "supplier"]), default="client", show_default=True)
@click.option("--user-company-vat", default=None)
@click.option("--user-company-country-code", default=None)
@click.option("--user-lang", default=None, help="e.g. fr_FR")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="write one JSON per document into this folder")
@click.option("--jobs", default=os.cpu_count() or 1, show_default=True, type=int)
def extract(files, document_type, perspective, user_company_vat, user_company_country_code, user_lang, out, jobs):
    """Print the Extract API results[0] of FILE (the engine the server runs)."""
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    from ..extraction import ExtractionError, extract as run_extract

    options = _options(document_type, perspective, user_company_vat, user_company_country_code, user_lang)
    paths: list[Path] = []
    for f in files:
        paths.extend(sorted(p for p in f.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES) if f.is_dir() else [f])
    if out is None:
        if len(paths) != 1:
            raise click.UsageError("several documents need --out DIR")
        try:
            result = run_extract(paths[0].read_bytes(), paths[0].name, options)
        except ExtractionError as e:
            raise click.ClickException(f"{e.status}: {e}")
        except Exception as e:
            logging.getLogger(__name__).exception("extraction failed")
            raise click.ClickException(f"error_internal: {type(e).__name__}: {e}")
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(str(p), str(out / (p.stem + ".json")), options) for p in paths]
    failures = 0
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for path, error in tqdm(pool.map(_extract_to, tasks), total=len(tasks), unit="doc", file=sys.stderr):
            if error:
                failures += 1
                click.echo(f"{path}: {error}", err=True)
    click.echo(f"{len(tasks) - failures} of {len(tasks)} documents written to {out}")


@main.group()
def client() -> None:
    """Call an Extract API server over JSON-RPC."""


# Route generation -> (route prefix, key naming the document in get_result).
ROUTES = {
    120: ("/iap/{kind}_extract", "document_id"),
    1: ("/api/extract/{kind}/1", "document_uuid"),
    2: ("/api/extract/{kind}/2", "document_token"),
}
# The newest protocol version each generation speaks, per document type.
PROTOCOL_VERSION = {120: {"invoice": 120, "expense": 120}, 1: {"invoice": 122, "expense": 131},
                    2: {"invoice": 123, "expense": 133}}


def answer_status(answer: dict) -> str:
    """String status of an answer of any generation (legacy answers may carry only a code)."""
    if isinstance(answer.get("status"), str):
        return answer["status"]
    return {0: "success", 1: "processing"}.get(answer.get("status_code"), "error_internal")


@client.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default="http://127.0.0.1:8069", show_default=True)
@click.option("--token", required=True, help="account token ('integration_token' to test)")
@click.option("--version", "route_version", type=click.Choice(["120", "1", "2"]), default="2", show_default=True,
              help="route generation: 120 (/iap/...), 1 or 2 (/api/extract/<type>/<n>/...)")
@click.option("--document-type", type=click.Choice(["invoice", "expense"]), default="invoice", show_default=True)
@click.option("--user-lang", default=None)
@click.option("--user-company-vat", default=None)
@click.option("--timeout", default=300.0, show_default=True, help="seconds to wait for the result")
@click.option("--poll", default=1.0, show_default=True, help="seconds between polls")
def client_parse(file: Path, url: str, token: str, route_version: str, document_type: str,
                 user_lang: str | None, user_company_vat: str | None, timeout: float, poll: float):
    """Submit FILE over JSON-RPC, poll until its result is ready, print the answer."""
    import base64

    import requests
    from jsonrpcclient import Ok, parse as parse_response, request as rpc_request
    from tqdm import tqdm

    generation = int(route_version)
    prefix, key = ROUTES[generation]
    prefix = url.rstrip("/") + prefix.format(kind=document_type)
    version = PROTOCOL_VERSION[generation][document_type]

    def call(method: str, params: dict) -> dict:
        try:
            response = requests.post(f"{prefix}/{method}", json=rpc_request("call", params=params), timeout=60)
            response.raise_for_status()
            parsed = parse_response(response.json())
        except (requests.RequestException, ValueError) as e:
            raise click.ClickException(f"{prefix}/{method}: {e}")
        if not isinstance(parsed, Ok):
            raise click.ClickException(f"JSON-RPC error: {parsed.message}")
        return parsed.result

    user_infos = {k: v for k, v in (("user_lang", user_lang), ("user_company_vat", user_company_vat)) if v}
    answer = call("parse", {"account_token": token, "version": version, "user_infos": user_infos,
                            "documents": [base64.b64encode(file.read_bytes()).decode("ascii")],
                            "file_names": [file.name]})
    if answer_status(answer) != "success":
        raise click.ClickException(f"parse failed: {answer_status(answer)}: {answer.get('status_msg', '')}")
    params = {"version": version, "account_token": token, key: answer[key]}
    deadline = time.monotonic() + timeout
    with tqdm(desc=f"document {answer[key]}", unit="poll", file=sys.stderr, leave=False) as bar:
        while True:
            result = call("get_result", params)
            status = answer_status(result)
            if status != "processing":
                break
            if time.monotonic() > deadline:
                raise click.ClickException(f"timed out after {timeout:.0f}s waiting for the result")
            bar.update()
            time.sleep(poll)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    if status != "success":
        sys.exit(1)


if __name__ == "__main__":
    main()
