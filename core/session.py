"""Session files: the exact experiment as JSON, versioned, validated on load.

A session is data, never code: it is read with ``json`` and every field is
checked before anything is built, so a bad file changes nothing. Opening a
session and running it reproduces the saved run exactly (same problem, start,
optimizer, learning rate, schedule, batches and seed). The run's fields are
`RunConfig.to_dict`'s; the problem is a `ProblemRef` (a built-in name, a
formula or a data file).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.checks import check_path, shown_path
from core.errors import ConfigError
from core.io.atomic import atomic_open
from core.io.reading import open_regular, read_limited
from core.limits import MAX_SESSION_BYTES
from core.problems.base import Problem
from core.problems.catalogue import get_problem
from core.run.config import RUN_FIELDS, RunConfig, plain_hyper
from core.session_schema import check_document, integer, read_document

FORMAT = "lr-playground-session"
VERSION = 1


@dataclass(frozen=True)
class ProblemRef:
    """How to rebuild the problem: a built-in name, a formula, or a data file."""

    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    formula: str | None = None
    params: tuple[str, ...] | None = None
    data: str | None = None
    model: str = "linear"
    normalize: bool = False
    # one input column, or several (a tuple; a session file holds them as a list)
    x_column: int | str | tuple[int | str, ...] | None = None
    y_column: int | str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.x_column, list):  # a list from JSON: kept hashable, as a tuple
            object.__setattr__(self, "x_column", tuple(self.x_column))

    def build(self, start: tuple[float, ...] | None = None) -> Problem:
        """The problem; a formula gets ``start`` as its own start, since its
        default start may be a point where it is not finite."""
        if self.formula is not None:
            from core.formula import formula_problem

            return formula_problem(self.formula, self.params, start=start)
        if self.data is not None:
            from core.problems.data import data_problem

            x = self.x_column
            return data_problem(self.data, model=self.model, normalize=self.normalize,
                                x_column=list(x) if isinstance(x, tuple) else x,
                                y_column=self.y_column)
        if self.name is None:
            raise ConfigError("session field 'problem' names no problem, formula or data file")
        return get_problem(self.name, **self.options)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that `from_dict` turns back into this reference."""
        out: dict[str, Any] = {}
        if self.formula is not None:
            out["formula"] = self.formula
            if self.params is not None:
                out["params"] = list(self.params)
        elif self.data is not None:
            out.update(data=self.data, model=self.model, normalize=self.normalize)
            if self.x_column is not None:
                x = self.x_column
                out["x_column"] = list(x) if isinstance(x, tuple) else x
            if self.y_column is not None:
                out["y_column"] = self.y_column
        else:
            out.update(name=self.name, options=dict(self.options))
        return out

    @classmethod
    def from_dict(cls, value: Any) -> ProblemRef:
        """The reference in ``value`` (`to_dict`'s data, or a bare name); ConfigError."""
        if isinstance(value, str):
            return cls(name=value)
        if not isinstance(value, Mapping):
            raise ConfigError(
                "session field 'problem' must be an object with 'name', 'formula' or 'data'"
            )
        _check_ref_types(value)
        params = value.get("params")
        ref = cls(
            name=value.get("name"), options=dict(value.get("options") or {}),
            formula=value.get("formula"), params=tuple(params) if params is not None else None,
            data=value.get("data"), model=value.get("model") or "linear",
            normalize=bool(value.get("normalize", False)),
            x_column=value.get("x_column"), y_column=value.get("y_column"),
        )
        if ref.name is None and ref.formula is None and ref.data is None:
            raise ConfigError("session field 'problem' names no problem, formula or data file")
        return ref


def _check_ref_types(value: Mapping[str, Any]) -> None:
    options = value.get("options") or {}
    if not isinstance(options, Mapping):
        raise ConfigError("session field 'problem.options' must be an object")
    for key, v in options.items():
        if not isinstance(v, int | float | str | bool) or (
            isinstance(v, float) and not math.isfinite(v)
        ):
            raise ConfigError(f"session field 'problem.options.{key}' must be a finite number")
    params = value.get("params")
    if params is not None and not (
        isinstance(params, list) and all(isinstance(p, str) for p in params)
    ):
        raise ConfigError("session field 'problem.params' must be a list of names")
    for key in ("name", "formula", "data", "model"):
        if value.get(key) is not None and not isinstance(value[key], str):
            raise ConfigError(f"session field 'problem.{key}' must be text")
    for key in ("x_column", "y_column"):
        col = value.get(key)
        several = key == "x_column" and isinstance(col, list)
        for item in (col if several else [col]):
            if item is not None and (isinstance(item, bool) or not isinstance(item, int | str)):
                rule = "a column number or name" + (", or a list of them"
                                                    if key == "x_column" else "")
                raise ConfigError(f"session field 'problem.{key}' must be {rule}")
    if not isinstance(value.get("normalize", False), bool):
        raise ConfigError("session field 'problem.normalize' must be true or false")


@dataclass(frozen=True)
class PinnedRun:
    """A comparison run the user pinned: its own optimizer and learning rate."""

    label: str
    lr: float
    optimizer: str = "sgd"
    hyper: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "lr": self.lr, "optimizer": self.optimizer,
                "hyper": plain_hyper(self.hyper)}

    @classmethod
    def from_dict(cls, item: Any, i: int) -> PinnedRun:
        """The ``i``-th pinned run of a session file; ConfigError naming it."""
        where = f"session field 'pinned[{i}]'"
        if not isinstance(item, Mapping) or "lr" not in item:
            raise ConfigError(f"{where} must be an object with at least 'lr'")
        if not isinstance(item.get("hyper") or {}, Mapping):
            raise ConfigError(f"{where}.hyper must be an object")
        try:
            cfg = RunConfig.from_dict(item, problem="pinned")
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        label = item.get("label") or f"run {i + 1}"
        if not isinstance(label, str):
            raise ConfigError(f"{where}.label must be text")
        return cls(label=label, lr=cfg.lr, optimizer=cfg.optimizer, hyper=dict(cfg.hyper))


@dataclass(frozen=True)
class Session:
    """A problem reference, the run settings and the pinned comparison runs."""

    problem: ProblemRef
    config: RunConfig
    pinned: tuple[PinnedRun, ...] = ()

    def build_problem(self) -> Problem:
        return self.problem.build(self.config.start)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "problem": self.problem.to_dict(),
            **self.config.to_dict(),
            "pinned": [p.to_dict() for p in self.pinned],
        }

    def to_json(self) -> str:
        # allow_nan=False: a session must be strict JSON that any tool can read
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a failed save never leaves a partial file."""
        text = self.to_json()
        with atomic_open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def session_for(
    problem: ProblemRef | str, config: RunConfig, pinned: tuple[PinnedRun, ...] = ()
) -> Session:
    ref = ProblemRef(name=problem) if isinstance(problem, str) else problem
    return Session(ref, config, tuple(pinned))


# ------------------------------------------------------------------ loading
def load_session(path: str | os.PathLike[str]) -> Session:
    """Read and validate a session file; raise ConfigError naming the bad field.

    Only a regular file of at most `MAX_SESSION_BYTES` is read (a folder, a
    device or a pipe is refused by its kind, without blocking).
    """
    where = check_path("the session file", path)
    label = f"session file {shown_path(where)}"
    missing = f"cannot open {label}: no such file"
    with open_regular(where, label, missing=missing) as handle:
        raw = read_limited(handle, MAX_SESSION_BYTES, label)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{where!r} is not a session file: it is not UTF-8 text") from None
    return parse_session(text, where)


def parse_session(text: str, where: str = "session") -> Session:
    """Validate session JSON text; nothing is built unless every field is valid."""
    doc = _document(text, where)
    ref = ProblemRef.from_dict(doc["problem"])
    try:
        config = RunConfig.from_dict(doc, problem=ref.name or "custom", options=dict(ref.options))
    except ConfigError as exc:
        raise ConfigError(f"{where!r}: {_field_hint(str(exc))}{exc}") from None
    try:
        problem = ref.build(config.start)
        problem.check_start(config.start)
    except ConfigError as exc:
        # a formula takes the start as its own, so its refusal of the start comes from build
        field = "start" if str(exc).startswith("start") else "problem"
        raise ConfigError(f"{where!r}: session field {field!r}: {exc}") from None
    pinned = tuple(PinnedRun.from_dict(item, i) for i, item in enumerate(doc.get("pinned") or []))
    return Session(ref, config, pinned)


def _document(text: str, where: str) -> dict[str, Any]:
    """The JSON object of a session of this format and version, every field of the
    right type (`core.session_schema`), with its required fields."""
    doc = read_document(text, where)
    if not isinstance(doc, dict):
        raise ConfigError(f"{where!r} is not a session file: expected a JSON object")
    if doc.get("format") != FORMAT:
        raise ConfigError(f"{where!r} is not a session file: field 'format' must be {FORMAT!r}")
    version = doc.get("version")
    if version is not None:
        try:
            integer("version", version)  # true and 1.0 equal 1 in Python; not in a session
        except ConfigError as exc:
            raise ConfigError(f"{where!r}: {exc}") from None
    if version != VERSION:
        raise ConfigError(
            f"{where!r}: session version {version!r} is not supported "
            f"(this program reads version {VERSION})"
        )
    check_document(doc, where)
    missing = [name for name in ("problem", "lr", "steps", "optimizer") if name not in doc]
    if missing:
        raise ConfigError(f"{where!r}: session field {missing[0]!r} is missing")
    return doc


def _field_hint(message: str) -> str:
    for name in RUN_FIELDS:
        if message.startswith(name) or f" {name} " in message[:40]:
            return f"session field {name!r}: "
    return "session: "
