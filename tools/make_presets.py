"""Work out the presets of every built-in problem at its defaults: resources/presets.json.

Every built-in problem with its default options and start, every optimizer
with its default hyper-parameters, no schedule: what `core.presets` answers
(the full computation, not the table). Run it after changing a problem's
defaults or the preset rules; a test holds the table equal to the rules.

    .venv/bin/python tools/make_presets.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def compute() -> dict[str, dict[str, dict[str, float]]]:
    import core
    from core.analysis.presets import preset_report

    table: dict[str, dict[str, dict[str, float]]] = {}
    for name in core.list_problems():
        table[name] = {}
        for optimizer in core.OPTIMIZERS:
            began = time.perf_counter()
            table[name][optimizer] = preset_report(name, optimizer).lrs
            print(f"{name:16s} {optimizer:9s} {time.perf_counter() - began:6.2f} s",
                  file=sys.stderr)
    return table


def main() -> int:
    from core.io.atomic import atomic_open

    table = compute()
    with atomic_open(ROOT / "resources" / "presets.json", "w", encoding="utf-8") as handle:
        json.dump(table, handle, indent=1, sort_keys=True)
        handle.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
