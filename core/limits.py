"""The largest request each entry point takes, in one place.

The checks (`core.checks`, `RunConfig`, `core.sweep`, `core.surface`, the
formula parser, the file readers) and the command line's help texts read
these numbers, so a help text and the check behind it cannot disagree. A
request past a limit is refused before any work is done, with the limit in
the message. Each limit says why it is where it is.
"""

from __future__ import annotations

# ------------------------------------------------------------------ runs
# one run: 10M rows are ~1 GB of step table and ~30 s at ~3 µs a step;
# beyond that a sweep, which keeps no table, is the tool
MAX_STEPS = 10_000_000

# ------------------------------------------------------------------ sweeps
MAX_SWEEP_LRS = 1_000_000  # learning rates of one core.sweep call
MAX_SWEEP_COUNT = 100_000  # learning rates of `lr-playground-cli sweep --count`
# learning rates × steps of one sweep: at the sweep's 40-70 ns per rate-step (two
# parameters, benchmarks/bench_analysis.py) 1e9 is about a minute, the same order as
# the longest single run (MAX_STEPS × ~3 µs); a sweep is a picture, not an overnight job
MAX_SWEEP_WORK = 1_000_000_000
MAX_SWEEP_HISTORY = 100_000_000  # keep_history: losses kept, 800 MB

# ------------------------------------------------------------------ surfaces
# points of one core.surface grid: 4096 × 4096 (the loss as float64 is 128 MiB;
# the grid is evaluated in row blocks, so the working memory stays a few blocks)
MAX_SURFACE_POINTS = 4096 * 4096

# ------------------------------------------------------------------ images
MIN_IMAGE_SCALE, MAX_IMAGE_SCALE = 0.25, 8.0  # an exported image against its size on screen
MAX_IMAGE_SIDE = 16_384  # pixels per side: Qt's raster engine and most viewers stop here

# ------------------------------------------------------------------ formulas
MAX_FORMULA_LENGTH = 2_000  # characters
MAX_FORMULA_DEPTH = 60  # nesting levels of operators, calls and parentheses
MAX_FORMULA_PARAMS = 12
# straight-line operations of a compiled gradient or Hessian; past this the
# formula is refused rather than left to compile for seconds
MAX_FORMULA_OPERATIONS = 20_000

# ------------------------------------------------------------------ files
MAX_DATA_BYTES = 512 * 2**20  # a data file (CSV)
MAX_DATA_LINE = 2**20  # one line of a data file: rows of numbers are short
# input columns of one regression: each step of a single run costs O(k²) Python
# float operations (the k × k scatter matrix of the full-data loss): at 32 inputs
# about 0.2 ms a step against 5 µs at one, so 1,000 steps no longer fit a frame
# but still take a blink; the step inspector writes each term of
# w1·x1 + ... + wk·xk out, and the step table gets 2k + 6 columns and more
MAX_DATA_INPUTS = 32
MAX_SESSION_BYTES = 5 * 2**20  # a session is a few hundred bytes; refuse anything absurd
# nesting of a session's JSON: the deepest real field is pinned[i].hyper.betas (4)
MAX_SESSION_DEPTH = 16
# digits of one number in a session file: a step count or a seed has at most a
# few dozen; thousands of digits are a file made to overflow
MAX_NUMBER_DIGITS = 40

# ------------------------------------------------------------------ messages
MAX_SHOWN = 60  # characters of a refused value quoted back in a message
