"""A loss the user types, such as ``(1-a)**2 + 100*(b-a**2)**2``, made safe and exact.

The text is never evaluated as Python. The modules follow the formula's way:

``language``
    what may be typed (functions, constants, limits) and `FormulaError`;
``check``
    the text parsed with `ast` and checked against the allow-list, with the
    column of the first problem;
``parse``
    the checked text as a constant-folded expression tree;
``graph``
    the tree as an interned expression graph, and its exact derivatives;
``codegen``
    the graph written out as straight-line Python over an array namespace
    (floats, numpy or torch), compiled once per formula;
``problem``
    the compiled formula as a `Problem`.
"""

from core.formula.codegen import CompiledFormula, compile_formula
from core.formula.language import CONSTANTS, FUNCTIONS, MAX_DEPTH, FormulaError, allowed_hint
from core.formula.parse import ParsedFormula, parse_formula
from core.formula.problem import FormulaProblem, formula_problem

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "CompiledFormula",
    "FormulaError",
    "FormulaProblem",
    "ParsedFormula",
    "allowed_hint",
    "compile_formula",
    "formula_problem",
    "parse_formula",
]
