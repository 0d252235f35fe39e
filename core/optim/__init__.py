"""The five optimizers, with torch.optim's update rules and defaults."""

from __future__ import annotations

import importlib
from typing import Any

from core.errors import ConfigError
from core.optim.base import Optimizer

# name -> "module:Class"; imported on first use
_REGISTRY: dict[str, str] = {
    "sgd": "core.optim.sgd:SGD",
    "adam": "core.optim.adam:Adam",
    "adamw": "core.optim.adam:AdamW",
    "rmsprop": "core.optim.rmsprop:RMSprop",
    "adagrad": "core.optim.adagrad:Adagrad",
}

OPTIMIZERS: tuple[str, ...] = tuple(_REGISTRY)


def optimizer_class(name: str) -> type[Optimizer]:
    """The class for an optimizer name (``sgd``, ``adam``, ...)."""
    key = name.lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ConfigError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}"
        )
    module, cls = _REGISTRY[key].split(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def make_optimizer(name: str, **hyper: Any) -> Optimizer:
    """Build an optimizer by name with torch's keyword names for ``hyper``."""
    return optimizer_class(name)(**hyper)


def optimizer_defaults(name: str) -> dict[str, Any]:
    """torch.optim's defaults for an optimizer's hyper-parameters (not lr)."""
    return dict(optimizer_class(name).defaults)


__all__ = ["OPTIMIZERS", "Optimizer", "make_optimizer", "optimizer_class", "optimizer_defaults"]
