"""The status sentence lives in core (`core.analysis.verdict`): the command line gives
a diverged run the same sentence. These names stay importable from here."""

from core.analysis.verdict import (
    HALVE,
    RunFacts,
    Verdict,
    explain,
    facts_of,
    tail_trend,
    two_step_cycle,
    verdict_of,
)

__all__ = ["HALVE", "RunFacts", "Verdict", "explain", "facts_of", "tail_trend",
           "two_step_cycle", "verdict_of"]
