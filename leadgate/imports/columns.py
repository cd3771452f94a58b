"""Column-wise conversion and validation of import rows, compiled once per import.

A file repeats most of its values down a column (source, country, city, rating,
company, an e-mail's domain), so each mapped column gets one check, built once
from the create schema's own field (type, constraints, the schema's config) and
memoised per distinct cell text, instead of a pydantic model validated per row.

The fast path answers only rows it answers exactly as the schema would: a row
with a refused cell (formula, unconvertible value, a value the field refuses)
or a missing required field is handed back (None) and takes the row-wise path
(`rows.prepare_row`: `convert` per cell, then the schema's `model_validate`),
which words the refusals as before. For the rows it does answer, the values are
the schema's own and the model is assembled as `model_construct` would assemble
it, so `model_dump()` and `model_fields_set` are those of `model_validate`
(`tests/unit/imports/test_columns.py` compares them on tricky inputs).
Schemas with validators of their own (model or field validators), aliases,
private attributes or mutable defaults are not compiled: their rows all take
the row-wise path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from leadgate.core.fields import Email
from leadgate.imports.convert import ConversionError, converter

FORMULA_START = "="
# What our exports put a quote before (formula injection guard), taken off on import.
NEUTRALISED = frozenset("=+-@\t\r")

# Distinct values remembered per column; a column of unique values (ids, e-mails)
# stops memoising once it has shown it gains nothing.
_MEMO_SIZE = 1 << 14
_MEMO_TRIAL = 4096
_IMMUTABLE = (str, int, float, bool, Decimal, date, datetime, Enum, type(None))
_NO_DEFAULT = object()


class Refused(Exception):
    """A cell the row-wise path must see: it is refused, and that path says why."""


def unquoted(name: str, raw: Any) -> Any:
    """A cell's content as the import reads it; a formula is refused."""
    if isinstance(raw, str):
        if raw.lstrip().startswith(FORMULA_START):
            raise Refused(f"{name}: holds a formula; formulas are not imported")
        if raw.startswith("'") and raw[1:2] in NEUTRALISED:
            return raw[1:]  # our exports' guard against formula injection, taken off again
    return raw


# An address email-validator takes unchanged once its domain passed: an ASCII dot-atom
# local part (lower case: `convert` lower-cases e-mails) and a dotted domain name.
_PLAIN_EMAIL = re.compile(r"([a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*)@([a-z0-9-]+(?:\.[a-z0-9-]+)+)")
_EMAIL_TYPES = (Email, Email | None)
_MAX_EMAIL = 254
_MAX_LOCAL = 64
# Whether email-validator accepts such a domain (lower-case letters, digits, hyphens and
# dots, no Punycode) depends on its lengths, dots, hyphens and letters, not on which digit
# stands where (no special-use name and no top-level domain holds a digit), so domains
# that differ only in their digits (company7.example, company12.example) are checked once.
_DIGITS = str.maketrans("123456789", "000000000")


def _email_validator(adapter: TypeAdapter[Any]) -> Callable[[Any], Any]:
    """EmailStr's validation, with its per-address work skipped for plain addresses
    whose domain's shape it already accepted (checked through the field itself)."""
    shapes: dict[str, bool] = {}

    def domain_ok(domain: str) -> bool:
        if "xn--" in domain:
            return False  # Punycode is decoded and checked as IDNA: the full path does it
        shape = domain.translate(_DIGITS)
        ok = shapes.get(shape)
        if ok is None:
            probe = "a@" + domain
            try:
                ok = adapter.validate_python(probe) == probe
            except ValidationError:
                ok = False
            if len(shapes) >= _MEMO_SIZE:
                shapes.clear()
            shapes[shape] = ok
        return ok

    def validate(value: Any) -> Any:
        if isinstance(value, str) and len(value) <= _MAX_EMAIL:
            plain = _PLAIN_EMAIL.fullmatch(value)
            if plain and len(plain.group(1)) <= _MAX_LOCAL and domain_ok(plain.group(2)):
                return value
        return adapter.validate_python(value)

    return validate


def _field_validator(schema: type[BaseModel], name: str) -> Callable[[Any], Any]:
    field = schema.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:
        annotation = Annotated[(annotation, *field.metadata)]
    adapter: TypeAdapter[Any] = TypeAdapter(annotation, config=schema.model_config)
    if field.annotation in _EMAIL_TYPES and not field.metadata:
        return _email_validator(adapter)
    return adapter.validate_python


class _Column:
    """One mapped column: cell → (converted value, validated value), or None when blank."""

    __slots__ = ("convert", "hits", "lookups", "memo", "name", "validate")

    def __init__(self, schema: type[BaseModel], name: str) -> None:
        self.name = name
        self.convert = converter(name)
        self.validate = _field_validator(schema, name)
        self.memo: dict[str, tuple[Any, Any] | None] | None = {}
        self.lookups = 0
        self.hits = 0

    def compute(self, raw: Any) -> tuple[Any, Any] | None:
        raw = unquoted(self.name, raw)
        try:
            value = self.convert(raw)
        except ConversionError as exc:
            raise Refused(f"{self.name}: {exc}") from exc
        if value is None:
            return None
        try:
            return value, self.validate(value)
        except ValidationError as exc:
            raise Refused(str(exc)) from exc

    def __call__(self, raw: Any) -> tuple[Any, Any] | None:
        memo = self.memo
        if memo is None or raw.__class__ is not str:
            return self.compute(raw)
        found = memo.get(raw, _NO_DEFAULT)
        if found is not _NO_DEFAULT:
            self.hits += 1
            return found  # type: ignore[return-value]
        result = self.compute(raw)
        if result is None or isinstance(result[1], _IMMUTABLE):
            self.lookups += 1
            if self.lookups == _MEMO_TRIAL and self.hits * 10 < self.lookups:
                self.memo = None  # unique values: remembering them costs more than it saves
                return result
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[raw] = result
        return result


@dataclass(frozen=True)
class Columns:
    """A schema's compiled checks for the mapped columns of one import."""

    schema: type[BaseModel]
    columns: tuple[tuple[int, _Column], ...]
    fixed: tuple[tuple[str, Any, Any], ...]  # (field, converted, validated) of every row
    defaults: dict[str, Any]  # every field in order, with its default (None if required)
    required: frozenset[str]

    def row(self, cells: Sequence[Any]) -> tuple[dict[str, Any], BaseModel, dict[str, Any]] | None:
        """(converted values, the validated model, its `model_dump()`: the model's own
        dict, not to be changed), or None when the row must take the row-wise path."""
        converted: dict[str, Any] = {}
        validated: dict[str, Any] = {}
        count = len(cells)
        try:
            for index, column in self.columns:
                found = column(cells[index] if index < count else None)
                if found is not None:
                    converted[column.name], validated[column.name] = found
        except Refused:
            return None
        for name, value, checked in self.fixed:
            converted[name], validated[name] = value, checked
        if not self.required <= validated.keys():
            return None  # a required field is missing: the schema words it
        dumped = self.defaults.copy()  # the fields' order, as model_dump() gives them
        dumped.update(validated)
        model = self.schema.__new__(self.schema)
        # What `model_construct` sets, without its per-field alias and default walk.
        object.__setattr__(model, "__dict__", dumped)
        object.__setattr__(model, "__pydantic_fields_set__", set(validated))
        object.__setattr__(model, "__pydantic_extra__", None)
        object.__setattr__(model, "__pydantic_private__", None)
        return converted, model, dumped


def _compilable(schema: type[BaseModel]) -> bool:
    decorators = schema.__pydantic_decorators__
    if (
        decorators.model_validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.validators
        or schema.__private_attributes__
        or schema.model_config.get("extra") == "allow"
    ):
        return False
    for field in schema.model_fields.values():
        if field.alias is not None or field.validation_alias is not None:
            return False
        if field.default_factory is not None:
            return False
        if not field.is_required() and not isinstance(field.default, _IMMUTABLE):
            return False
    return True


def compile_columns(
    schema: type[BaseModel], columns: Sequence[tuple[int, str]], fixed: dict[str, Any]
) -> Columns | None:
    """The compiled checks of `columns` ((cell index, field)) plus `fixed` values set on
    every row, or None when the schema or a mapped field is not one the fast path knows."""
    if not _compilable(schema):
        return None
    fields = schema.model_fields
    if any(name not in fields for _, name in columns) or any(name not in fields for name in fixed):
        return None  # e.g. a contact's full_name, split over two fields row by row
    compiled = tuple((index, _Column(schema, name)) for index, name in columns)
    checked: list[tuple[str, Any, Any]] = []
    for name, value in fixed.items():
        try:
            checked.append((name, value, _field_validator(schema, name)(value)))
        except ValidationError:
            return None
    defaults = {
        name: None if field.is_required() else field.default for name, field in fields.items()
    }
    required = frozenset(name for name, field in fields.items() if field.is_required())
    return Columns(schema, compiled, tuple(checked), defaults, required)
