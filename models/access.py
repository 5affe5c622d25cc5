"""Access rules of the review app, loaded from ``security/`` and enforced on every request.

Two files, in Odoo's formats:

* ``security/ir.model.access.csv`` — which groups may read / write / create / unlink
  which model (no row granting it: 403);
* ``security/ir.rule.csv`` — record rules: a domain such as
  ``[('account_id', '=', user.account_id)]`` restricting which rows of a model a user
  reaches. Rules without groups are global (all ANDed), rules with groups are ORed among
  the groups the user is in, then ANDed with the global ones — Odoo's semantics. A row a
  rule hides does not exist for the user (404).

Domains support terms ``(field, op, value)`` with op ``=``, ``!=``, ``in``, ``not in`` and a
literal value or ``user.<attribute>``; anything else fails at load time, so a typo in the
file never silently opens access.
"""
from __future__ import annotations

import ast
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, false, or_, true

from .account import Account
from .document import Document
from .user import User
from .validation import Validation

SECURITY = Path(__file__).resolve().parent.parent / "security"
OPERATIONS = ("read", "write", "create", "unlink")
# The model ids of the files -> mapped classes.
MODELS: dict[str, type] = {
    "model_invoice_extract_document": Document,
    "model_invoice_extract_validation": Validation,
    "model_invoice_extract_account": Account,
    "model_invoice_extract_user": User,
}
MODEL_IDS = {cls: model_id for model_id, cls in MODELS.items()}
DOMAIN_OPERATORS = ("=", "!=", "in", "not in")


class AccessError(Exception):
    """The user's groups do not grant this operation on this model (HTTP 403)."""


class RuleFileError(ValueError):
    """A security file has a row the loader does not understand."""


@dataclass(frozen=True)
class ModelAccess:
    id: str
    model: str
    group: str  # empty: everybody
    perms: frozenset[str]


@dataclass(frozen=True)
class UserField:
    """``user.<name>`` in a domain: the value is read from the signed-in user."""
    name: str


@dataclass(frozen=True)
class Term:
    field: str
    operator: str
    value: Any  # a literal, or a UserField


@dataclass(frozen=True)
class RecordRule:
    id: str
    model: str
    groups: frozenset[str]  # empty: global
    domain: tuple[Term, ...]
    perms: frozenset[str]


def _perms(row: dict, file: str) -> frozenset[str]:
    perms = set()
    for op in OPERATIONS:
        value = (row.get(f"perm_{op}") or "").strip()
        if value not in ("0", "1"):
            raise RuleFileError(f"{file}: {row.get('id')}: perm_{op} must be 0 or 1")
        if value == "1":
            perms.add(op)
    return frozenset(perms)


def _model(row: dict, file: str) -> str:
    model = (row.get("model_id:id") or "").strip()
    if model not in MODELS:
        raise RuleFileError(f"{file}: {row.get('id')}: unknown model {model!r}")
    return model


def _strip_module(xmlid: str) -> str:
    return xmlid.strip().split(".")[-1]  # 'invoice_extract.group_x' and 'group_x' are one group


def parse_domain(text: str, model: str) -> tuple[Term, ...]:
    """An Odoo domain of AND-ed terms; values are literals or ``user.<attribute>``."""
    try:
        tree = ast.parse(text.strip() or "[]", mode="eval").body
    except SyntaxError as e:
        raise RuleFileError(f"domain {text!r}: {e}") from e
    if not isinstance(tree, (ast.List, ast.Tuple)):
        raise RuleFileError(f"domain {text!r} is not a list")
    columns = MODELS[model].__table__.columns
    terms = []
    for node in tree.elts:
        if isinstance(node, ast.Constant) and node.value == "&":
            continue  # explicit AND, the default
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 3):
            raise RuleFileError(f"domain {text!r}: only (field, operator, value) terms are supported")
        field, op, value = node.elts
        if not (isinstance(field, ast.Constant) and field.value in columns):
            raise RuleFileError(f"domain {text!r}: unknown field")
        if not (isinstance(op, ast.Constant) and op.value in DOMAIN_OPERATORS):
            raise RuleFileError(f"domain {text!r}: operator must be one of {DOMAIN_OPERATORS}")
        if (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "user"
                and value.attr in User.__table__.columns):
            parsed: Any = UserField(value.attr)
        else:
            try:
                parsed = ast.literal_eval(value)
            except ValueError as e:
                raise RuleFileError(f"domain {text!r}: a value must be a literal or user.<field>") from e
        terms.append(Term(field.value, op.value, parsed))
    return tuple(terms)


class AccessRules:
    def __init__(self, accesses: list[ModelAccess], rules: list[RecordRule]):
        self.accesses = accesses
        self.rules = rules

    @classmethod
    def load(cls, directory: Path | str = SECURITY) -> "AccessRules":
        directory = Path(directory)
        accesses, rules = [], []
        path = directory / "ir.model.access.csv"
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                accesses.append(ModelAccess(row["id"], _model(row, path.name),
                                            _strip_module(row.get("group_id:id") or ""), _perms(row, path.name)))
        path = directory / "ir.rule.csv"
        if path.exists():
            with path.open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    model = _model(row, path.name)
                    groups = frozenset(_strip_module(g) for g in (row.get("groups") or "").split(",") if g.strip())
                    rules.append(RecordRule(row["id"], model, groups, parse_domain(row.get("domain_force") or "[]", model),
                                            _perms(row, path.name)))
        return cls(accesses, rules)

    # -- model level ------------------------------------------------------------------
    def allowed(self, user: User, model: type, operation: str) -> bool:
        model_id = MODEL_IDS[model]
        groups = user.group_ids
        return any(a.model == model_id and operation in a.perms and (not a.group or a.group in groups)
                   for a in self.accesses)

    def check(self, user: User, model: type, operation: str) -> None:
        if not self.allowed(user, model, operation):
            raise AccessError(f"{user.login} may not {operation} {MODEL_IDS[model]}")

    # -- record level -----------------------------------------------------------------
    def clause(self, user: User, model: type, operation: str):
        """A SQL condition selecting the rows of ``model`` the rules let ``user`` reach."""
        model_id = MODEL_IDS[model]
        applicable = [r for r in self.rules if r.model == model_id and operation in r.perms]
        global_rules = [r for r in applicable if not r.groups]
        group_rules = [r for r in applicable if r.groups]
        conditions = [self._domain(user, model, r.domain) for r in global_rules]
        if group_rules:
            mine = [self._domain(user, model, r.domain) for r in group_rules if r.groups & user.group_ids]
            conditions.append(or_(*mine) if mine else false())
        return and_(true(), *conditions)

    @staticmethod
    def _domain(user: User, model: type, domain: tuple[Term, ...]):
        parts = []
        for term in domain:
            column = getattr(model, term.field)
            value = getattr(user, term.value.name) if isinstance(term.value, UserField) else term.value
            if term.operator == "=":
                parts.append(column.is_(None) if value is None else column == value)
            elif term.operator == "!=":
                parts.append(column.is_not(None) if value is None else column != value)
            elif term.operator == "in":
                parts.append(column.in_(list(value)))
            else:
                parts.append(column.not_in(list(value)))
        return and_(true(), *parts)
