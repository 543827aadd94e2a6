"""One declaration per API: its doc, its argument validation and its implementation.

An app is an `App`; each API is a plain function decorated with `@app.api(...)`
whose keyword parameters are annotated with `Annotated[type, P("what it is", ...)]`.
From that single declaration come:

- the doc in api_docs' shape (`ApiSpec.doc()`),
- validation of incoming arguments (422 naming the bad argument),
- auth (`auth=True` adds a required `access_token`; missing/wrong -> 401),
- pagination (`paginated=True` adds `page_index` from 0 and `page_limit`
  default 5, max 20; the function returns the whole list, sorted),
- the implementation, called as `fn(ctx, **arguments)` on the episode's SQLite.

Arguments come from agent code, so before any type check every argument is
rebuilt from exact JSON types (see `plain_json`): bounded in depth, length
and total size, numbers finite and within SQLite's 64-bit integers, text
encodable. Whatever passes can be stored, compared and sent back without a
server error, and no single call can hold or process unbounded data.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import math
import re
import secrets
import sqlite3
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from envs.contract import type_name

PAGE_LIMIT_DEFAULT = 5
PAGE_LIMIT_MAX = 20
MAX_TEXT_CHARS = 20_000  # any one string inside an argument, unless its P declares another max_length
MAX_STORED_CHARS = 100_000  # any one text an API writes (a file grown by appends, an archive): replies stay small
QUERY_MAX_CHARS = 200  # search words: each is matched against every row, so the cost grows with their number
MAX_ITEMS = 500  # any one list or object inside an argument
MAX_DEPTH = 8  # lists and objects nested inside one argument
MAX_CALL_SIZE = 200_000  # one call's arguments: characters of text plus one per value
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what SQLite stores as an INTEGER
TOKEN_DIGEST_CHARS = 28
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "list"}


class ApiError(Exception):
    """An API answered with an error status; the agent sees status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class P:
    """Doc and constraints of one API parameter (used inside `Annotated`)."""

    description: str
    ge: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None

    def constraints(self) -> list[str]:
        out = []
        if self.ge is not None:
            out.append(f"value >= {_num(self.ge)}")
        if self.le is not None:
            out.append(f"value <= {_num(self.le)}")
        if self.min_length is not None:
            out.append(f"length >= {self.min_length}")
        if self.max_length is not None:
            out.append(f"length <= {self.max_length}")
        return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Param:
    name: str
    type: Any  # python type: str, int, float, bool, list[str], dict, or a Literal
    required: bool
    default: Any
    spec: P
    nullable: bool = False

    @property
    def type_name(self) -> str:
        base = _base_type(self.type)
        if typing.get_origin(base) is list:
            (item,) = typing.get_args(base) or (str,)
            return f"list[{JSON_TYPES.get(item, 'any')}]"
        if typing.get_origin(base) is Literal:
            return JSON_TYPES[type(typing.get_args(base)[0])]
        return JSON_TYPES.get(base, "any")

    def constraints(self) -> list[str]:
        base = _base_type(self.type)
        out = list(self.spec.constraints())
        if typing.get_origin(base) is Literal:
            out.insert(0, f"value in {list(typing.get_args(base))}")
        return out

    def doc(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type_name,
            "required": self.required,
            "description": self.spec.description,
            "default": None if self.required else self.default,
            "constraints": self.constraints(),
        }

    def coerce(self, value: Any, budget: SizeBudget | None = None) -> Any:
        """Return `value` checked against the type and constraints, or raise ApiError(422).

        `budget` is the call's size allowance, shared by all its arguments."""
        value = plain_json(self.name, value, budget or SizeBudget(), self.spec.max_length)
        if value is None:
            if self.nullable or (not self.required and self.default is None):
                return None
            raise _bad(self.name, "must not be null")
        base = _base_type(self.type)
        value = _check_type(self.name, base, value)
        for problem in _violations(self, value):
            raise _bad(self.name, problem)
        return value


def _bad(name: str, problem: str) -> ApiError:
    return ApiError(422, f"Invalid argument {name!r}: {problem}.")


class SizeBudget:
    """What one call's arguments may add up to: characters of text plus one per value."""

    def __init__(self, limit: int = MAX_CALL_SIZE):
        self.left = limit
        self.limit = limit

    def spend(self, name: str, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise _bad(name, f"the call's arguments are too large (over {self.limit:,} characters and values in all)")


def shorten(value: Any, chars: int = 100) -> str:
    """The repr of a (plain, depth-bounded) value, cut so an error message stays short."""
    return clip(repr(value), chars)


def clip(text: str, chars: int = 100) -> str:
    """`text` cut to `chars` characters, saying how long it was, so a message stays short."""
    return text if len(text) <= chars else text[:chars] + f"... ({len(text):,} characters)"


def plain_json(name: str, value: Any, budget: SizeBudget, max_length: int | None = None) -> Any:
    """`value` rebuilt from exact JSON types, or ApiError(422) naming the first problem.

    Walks with an explicit stack, so depth costs no recursion, and reads every
    container and scalar through the builtin type's own methods: a subclass
    that lies in `__len__`, `__iter__`, `__eq__`, `__hash__` or `__str__` is
    neither trusted nor kept. `max_length` is the argument's declared bound
    on its own length (a string's characters or a list's items).
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, str, int]] = [(value, root, 0, name, 0)]
    while stack:
        item, parent, key, path, depth = stack.pop()
        limit = max_length if depth == 0 and max_length is not None else None
        parent[key] = _plain_scalar_or_container(item, path, depth, budget, limit, stack)
    return root[0]


def _plain_scalar_or_container(
    item: Any, path: str, depth: int, budget: SizeBudget, limit: int | None, stack: list[tuple[Any, Any, Any, str, int]]
) -> Any:
    kind = type(item)
    budget.spend(path, 1)
    if item is None or kind is bool:
        return item
    if issubclass(kind, str):
        text = _plain_text(path, item, limit or MAX_TEXT_CHARS)
        budget.spend(path, len(text))
        return text
    if issubclass(kind, int):
        number = int.__int__(item)
        if not INT_MIN <= number <= INT_MAX:
            raise _bad(path, f"integer out of range (must be between {INT_MIN} and {INT_MAX})")
        return number
    if issubclass(kind, float):
        real = float.__float__(item)
        if not math.isfinite(real):
            raise _bad(path, f"must be a finite number, got {real!r}")
        return real
    if not issubclass(kind, (list, tuple, dict)):
        raise _bad(
            path, f"expected a JSON value (string, number, boolean, null, list or object), got {type_name(item)}"
        )
    if depth >= MAX_DEPTH:
        raise _bad(path, f"nested more than {MAX_DEPTH} lists or objects deep")
    size = dict.__len__(item) if issubclass(kind, dict) else (list if issubclass(kind, list) else tuple).__len__(item)
    most = limit or MAX_ITEMS
    if size > most:
        raise _bad(path, f"length must be <= {most}, got {size}")
    budget.spend(path, size)
    if issubclass(kind, dict):
        out: dict[str, Any] = {}
        for field_name, field_value in list(dict.items(item)):
            if not issubclass(type(field_name), str):
                raise _bad(path, f"object keys must be strings, got {type_name(field_name)}")
            plain_key = _plain_text(f"{path} key", field_name, MAX_TEXT_CHARS)
            budget.spend(path, len(plain_key))
            out[plain_key] = None
            stack.append((field_value, out, plain_key, f"{path}.{plain_key[:40]}", depth + 1))
        return out
    items = list.copy(item) if issubclass(kind, list) else list(tuple.__iter__(item))
    stack.extend((v, items, i, f"{path}[{i}]", depth + 1) for i, v in enumerate(items))
    return items


def _plain_text(path: str, text: str, most: int) -> str:
    length = str.__len__(text)
    if length > most:
        raise _bad(path, f"length must be <= {most}, got {length}")
    exact = str.__str__(text)  # a plain copy of the characters: no method of a subclass runs
    if not exact.isascii():
        try:
            exact.encode("utf-8")
        except UnicodeEncodeError as err:
            raise _bad(path, f"invalid text at character {err.start}: lone surrogate {exact[err.start]!r}") from None
    return exact


def _base_type(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0]
    return tp


def _check_type(name: str, base: Any, value: Any) -> Any:
    origin = typing.get_origin(base)
    if origin is Literal:
        allowed = typing.get_args(base)
        if value not in allowed:
            raise _bad(name, f"got {shorten(value)}, expected one of {list(allowed)}")
        return value
    if origin is list:
        (item,) = typing.get_args(base) or (str,)
        if not isinstance(value, (list, tuple)):
            raise _bad(name, f"expected a list, got {type(value).__name__}")
        return [_check_type(f"{name}[{i}]", item, v) for i, v in enumerate(value)]
    if base is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if base is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if base in (int, float) and type(value) is bool:
        raise _bad(name, f"expected {JSON_TYPES[base]}, got boolean")
    if base in JSON_TYPES and not isinstance(value, base):
        raise _bad(name, f"expected {JSON_TYPES[base]}, got {type(value).__name__} {shorten(value)}")
    return value


def _violations(param: Param, value: Any) -> list[str]:
    spec, out = param.spec, []
    if spec.ge is not None and value < spec.ge:
        out.append(f"must be >= {_num(spec.ge)}, got {value!r}")
    if spec.le is not None and value > spec.le:
        out.append(f"must be <= {_num(spec.le)}, got {value!r}")
    if spec.min_length is not None and len(value) < spec.min_length:
        out.append(f"length must be >= {spec.min_length}, got {len(value)}")
    if spec.max_length is not None and len(value) > spec.max_length:
        out.append(f"length must be <= {spec.max_length}, got {len(value)}")
    return out


ACCESS_TOKEN = Param("access_token", str, True, None, P("Access token obtained from this app's login API."))
PAGE_INDEX = Param("page_index", int, False, 0, P("The index of the page to return, from 0.", ge=0))
PAGE_LIMIT = Param(
    "page_limit", int, False, PAGE_LIMIT_DEFAULT, P("The maximum number of results per page.", ge=1, le=PAGE_LIMIT_MAX)
)


@dataclass
class CallContext:
    """What an API implementation may use: the episode's DB, the caller, the frozen time."""

    conn: sqlite3.Connection
    now: datetime
    secret: str
    user_id: int | None = None
    session: dict[str, Any] = field(default_factory=dict)
    page: tuple[int, int] | None = None  # (page_index, page_limit) of a call to a paginated API

    def page_window(self) -> tuple[int, int]:
        """(LIMIT, OFFSET) of the page asked for, for a paginated API that cuts it in SQL and returns a `Page`."""
        if self.page is None:
            raise RuntimeError("page_window() needs a call to an API declared with paginated=True")
        index, limit = self.page
        return limit, min(index * limit, INT_MAX)  # a page index near 2**63 must not overflow SQLite's integers

    def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def row(self, sql: str, *args: Any) -> dict[str, Any] | None:
        found = self.rows(sql, *args)
        return found[0] if found else None

    def existing_row(self, sql: str, *args: Any) -> dict[str, Any]:
        """The first row of a query that always has one (e.g. a person by id); LookupError if it has none."""
        found = self.row(sql, *args)
        if found is None:
            raise LookupError(f"no row for {sql!r} {args}")
        return found

    @property
    def caller(self) -> int:
        """The logged-in caller's person id: always set in APIs with auth=True (the default)."""
        if self.user_id is None:
            raise RuntimeError("no caller: this API is declared with auth=False")
        return self.user_id

    def value(self, sql: str, *args: Any) -> Any:
        found = self.conn.execute(sql, args).fetchone()
        return None if found is None else found[0]

    def execute(self, sql: str, *args: Any) -> int:
        """Run a write; returns lastrowid. Every write of the APIs comes here, so no stored text outgrows
        MAX_STORED_CHARS, whether it came in one argument or was built up from many (appends, archives)."""
        _check_stored(args)
        rowid = self.conn.execute(sql, args).lastrowid
        assert rowid is not None  # set by every executed statement
        return rowid

    def owned(self, table: str, row_id: int, what: str, owner_column: str = "owner_id") -> dict[str, Any]:
        """The caller's row `row_id` of `table`, or a 404 naming `what`."""
        row = self.row(f"SELECT * FROM {table} WHERE id = ? AND {owner_column} = ?", row_id, self.user_id)
        if row is None:
            raise ApiError(404, f"No {what} with id {row_id}.")
        return row

    def insert_unique(self, table: str, key: dict[str, Any], conflict: str, extra: dict[str, Any] | None = None) -> int:
        """Insert a row identified by `key` (plus `extra` columns), or 409 with `conflict` if one exists."""
        where = " AND ".join(f"{k} = ?" for k in key)
        if self.value(f"SELECT 1 FROM {table} WHERE {where}", *key.values()):
            raise ApiError(409, conflict)
        row = {**key, **(extra or {})}
        return self.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", *row.values()
        )

    def delete_existing(self, table: str, key: dict[str, Any], missing: str) -> None:
        """Delete the rows identified by `key`, or 404 with `missing` if there are none."""
        where = " AND ".join(f"{k} = ?" for k in key)
        if not self.value(f"SELECT 1 FROM {table} WHERE {where}", *key.values()):
            raise ApiError(404, missing)
        self.execute(f"DELETE FROM {table} WHERE {where}", *key.values())

    def update(self, table: str, row_id: int, fields: dict[str, Any]) -> None:
        """Set the columns whose new value is not None (PATCH semantics)."""
        for column, value in fields.items():
            if value is not None:
                self.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", value, row_id)

    def timestamp(self) -> str:
        return self.now.isoformat(timespec="seconds")


def _check_stored(values: tuple[Any, ...]) -> None:
    for value in values:
        if isinstance(value, str):
            check_stored_length(len(value))


def check_stored_length(length: int) -> None:
    """413 when one stored text would hold `length` characters, past MAX_STORED_CHARS."""
    if length > MAX_STORED_CHARS:
        raise ApiError(
            413, f"The result would store {length:,} characters in one field, over the limit of {MAX_STORED_CHARS:,}."
        )


def replaced_text(text: str, find: str, replace_with: str, count: int) -> str:
    """`text` with its first `count` occurrences of `find` replaced, refused (413) before it is built if it would
    pass MAX_STORED_CHARS: 100,000 one-character matches each replaced by 1,000 characters made 100 million (382 MB
    for characters outside Latin-1) only for the limit to refuse them on the write."""
    check_stored_length(len(text) + count * (len(replace_with) - len(find)))
    return text.replace(find, replace_with, count)


ApiFunction = Callable[..., Any]


@dataclass(frozen=True)
class ApiSpec:
    app: str
    name: str
    method: str
    path: str
    description: str
    params: tuple[Param, ...]
    returns: Any
    auth: bool
    paginated: bool
    fn: ApiFunction

    def all_params(self) -> tuple[Param, ...]:
        head = (ACCESS_TOKEN,) if self.auth else ()
        tail = (PAGE_INDEX, PAGE_LIMIT) if self.paginated else ()
        return head + self.params + tail

    def doc(self) -> dict[str, Any]:
        return {
            "app_name": self.app,
            "api_name": self.name,
            "path": self.path,
            "method": self.method,
            "description": self.description,
            "parameters": [p.doc() for p in self.all_params()],
            "response_schemas": {"success": self.returns, "failure": {"message": "string"}},
        }

    def bind(self, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Map positional and keyword arguments onto parameters, validated."""
        params = self.all_params()
        by_name = {p.name: p for p in params}
        if len(args) > len(params):
            raise ApiError(422, f"{self.app}.{self.name} takes at most {len(params)} arguments, got {len(args)}.")
        # Fewer positional arguments than parameters is allowed: the rest come from kwargs or defaults.
        given = dict(zip((p.name for p in params), args, strict=False))
        for name, value in kwargs.items():
            if type(name) is not str:
                raise ApiError(422, f"Argument names must be strings, got {type_name(name)}.")
            if name not in by_name:
                raise ApiError(
                    422,
                    f"Unexpected argument {shorten(name)} for {self.app}.{self.name}; "
                    f"its parameters are {list(by_name)}.",
                )
            if name in given:
                raise ApiError(422, f"Argument {name!r} given twice.")
            given[name] = value
        bound, budget = {}, SizeBudget()
        for p in params:
            if p.name in given:
                bound[p.name] = p.coerce(given[p.name], budget)
            elif p.required:
                status = 401 if p is ACCESS_TOKEN else 422
                raise ApiError(status, f"Missing required argument {p.name!r}.")
            else:
                bound[p.name] = p.default
        return bound


class App:
    """An app of the world: its tables, how to fill them, and its APIs."""

    def __init__(self, name: str, description: str, schema: str = "", has_accounts: bool = True):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"app name {name!r} must be snake_case")
        self.name = name
        self.description = description
        self.schema = schema
        self.has_accounts = has_accounts
        self.apis: dict[str, ApiSpec] = {}
        self.populate: Callable[..., None] | None = None

    def api(
        self,
        method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"],
        path: str,
        returns: Any,
        *,
        auth: bool = True,
        paginated: bool = False,
    ) -> Callable[[ApiFunction], ApiFunction]:
        """Declare an API; the function's name is the API name, its docstring the description."""

        def register(fn: ApiFunction) -> ApiFunction:
            name = fn.__name__
            if name in self.apis:
                raise ValueError(f"API {self.name}.{name} declared twice")
            description = inspect.cleandoc(fn.__doc__ or "").split("\n\n")[0].replace("\n", " ")
            if not description:
                raise ValueError(f"API {self.name}.{name} needs a docstring (it is the API's description)")
            self.apis[name] = ApiSpec(
                app=self.name,
                name=name,
                method=method,
                path=f"/{self.name}{path}",
                description=description,
                params=_params_of(fn, f"{self.name}.{name}"),
                returns=returns,
                auth=auth,
                paginated=paginated,
                fn=fn,
            )
            return fn

        return register

    def populator(self, fn: Callable[..., None]) -> Callable[..., None]:
        """Declare the function that fills this app's tables when a world is generated."""
        self.populate = fn
        return fn


def _params_of(fn: ApiFunction, where: str) -> tuple[Param, ...]:
    hints = typing.get_type_hints(fn, include_extras=True)
    out = []
    for i, (name, sig) in enumerate(inspect.signature(fn).parameters.items()):
        if i == 0:
            continue  # the CallContext
        hint = hints.get(name)
        if typing.get_origin(hint) is not typing.Annotated:
            raise TypeError(f"{where}: parameter {name!r} needs Annotated[type, P('description')]")
        tp, *extras = typing.get_args(hint)
        spec = next((e for e in extras if isinstance(e, P)), None)
        if spec is None:
            raise TypeError(f"{where}: parameter {name!r} needs a P('description') in its Annotated")
        required = sig.default is inspect.Parameter.empty
        nullable = typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)
        out.append(Param(name, tp, required, None if required else sig.default, spec, nullable))
    return tuple(out)


@dataclass(frozen=True)
class Page:
    """What a paginated API may return instead of its whole list: the page asked for (see
    CallContext.page_window) and the length of the whole list. For lists too long to build on every call
    (a catalog of thousands of songs): the API cuts the page in SQL with LIMIT/OFFSET and counts the rest."""

    items: list[Any]
    total: int


def paginate(items: list[Any], page_index: int, page_limit: int) -> list[Any]:
    start = page_index * page_limit
    return items[start : start + page_limit]


def new_token_key() -> str:
    """A fresh random key for signing tokens: made per env, so no token can be computed from the source code."""
    return secrets.token_hex(32)


def make_token(secret: str, app: str, user_id: int) -> str:
    """A stateless token: the user id plus an HMAC over (app, user), so login writes nothing."""
    digest = hmac.new(secret.encode(), f"{app}:{user_id}".encode(), hashlib.sha256).hexdigest()[:TOKEN_DIGEST_CHARS]
    return f"{digest}{user_id:x}"


def read_token(secret: str, app: str, token: str) -> int:
    tail = token[TOKEN_DIGEST_CHARS:]
    well_formed = token.isascii() and 0 < len(tail) <= 16 and all(c in "0123456789abcdef" for c in tail)
    user_id = int(tail, 16) if well_formed else -1
    if user_id < 0 or not hmac.compare_digest(make_token(secret, app, user_id), token):
        raise ApiError(
            401, f"Invalid access_token for app {app!r}: log in with apis.{app}.login(...) and pass its access_token."
        )
    return user_id


def to_json(value: Any) -> tuple[Any, str]:
    """Round-trip through JSON so the agent sees exactly what a web API would send; also that JSON text, whose
    length the env charges to the episode's reply budget."""
    text = json.dumps(value, default=str)
    return json.loads(text), text
