"""Mutants of the reference solutions: small edits of their syntax tree, each of which a
grader should catch (tests/test_exercise_mutants.py grades every one).

    for mutant in mutants(exercise):
        answer = mutant.answer()          # the edited function, class or value
        exercises.grade(exercise.id, answer)

The edits, each alone: an operator swapped (+ -, * /, @ *, ** *, a comparison), a
constant changed (c + 1, 0, True/False), an axis changed or dropped, ``keepdims``
flipped, a transpose dropped or added, max/min and sum/mean swapped, the branches of a
``np.where`` or an ``x if c else y`` swapped, a term or factor dropped, a conversion
dropped (``np.asarray``, ``np.abs``), an ``np.clip`` inserted around an ``np.exp``
argument or on a parameter, a statement deleted.

An exercise's reference is what ``make_solution`` gives for a code exercise (a function
or a class, whose source is edited), and ``make_solution`` itself for a value exercise
(a function of no arguments, or of arguments with defaults; with arguments, its mutants
are graded as functions). A mutant that is a right answer too is listed in the
exercise's ``equivalent_mutants``, by its ``description``, with the reason.
"""

import ast
import copy
import inspect
import sys
import textwrap
from dataclasses import dataclass

_SWAP_OPS = {
    ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
    ast.MatMult: [ast.Mult], ast.Pow: [ast.Mult], ast.FloorDiv: [ast.Div], ast.Mod: [ast.Mult],
}
_SWAP_COMPARE = {
    ast.GtE: [ast.Gt, ast.LtE], ast.Gt: [ast.GtE, ast.Lt], ast.LtE: [ast.Lt, ast.GtE],
    ast.Lt: [ast.LtE, ast.Gt], ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq],
}
_SWAP_NAMES = {"max": "min", "min": "max", "sum": "mean", "mean": "sum", "maximum": "minimum",
               "minimum": "maximum", "log1p": "log", "log": "log1p"}
_UNWRAP = {"asarray", "abs", "array", "float"}   # f(x) -> x


@dataclass
class Mutant:
    """One edit of a reference: ``description`` names it ("line 3: a -> b", the line
    counted from the ``def`` or ``class`` line, which is line 1, without comment lines
    and blank lines, so that a new comment does not rename the mutants); ``answer()``
    builds what a learner would pass to ``grade``."""

    exercise_id: str
    description: str
    tree: ast.Module
    namespace: dict
    name: str
    call_for_value: bool

    def build(self):
        """The edited function or class."""
        namespace = dict(self.namespace)
        exec(compile(self.tree, f"<mutant of {self.name}>", "exec"), namespace)
        return namespace[self.name]

    def answer(self):
        obj = self.build()
        return obj() if self.call_for_value else obj


def reference_of(exercise):
    """The object whose source is mutated, and whether its mutants are called for a value."""
    if exercise.kind == "code":
        return exercise.make_solution(), False
    target = exercise.make_solution
    takes_arguments = bool(inspect.signature(target).parameters)
    return target, not takes_arguments


def mutants(exercise):
    """Every mutant of the exercise's reference, in a stable order."""
    target, call_for_value = reference_of(exercise)
    try:
        source = textwrap.dedent(inspect.getsource(target))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        tree = None
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], (ast.FunctionDef, ast.ClassDef)):
        raise ValueError(f"{exercise.id}: the reference to mutate must be a def or a class with readable source "
                         f"(a value exercise's make_solution a def, not a lambda), got {target!r}")
    namespace = vars(sys.modules[target.__module__])
    found, seen = [], {}
    for description, mutated in _edits(tree, _code_lines(source)):
        ast.fix_missing_locations(mutated)
        seen[description] = seen.get(description, 0) + 1
        if seen[description] > 1:  # the same edit elsewhere on the line
            description += f" (occurrence {seen[description]})"
        found.append(Mutant(exercise.id, description, mutated, namespace, target.__name__, call_for_value))
    return found


def _code_lines(source):
    """Line number in the source -> line number counting only the lines of code."""
    numbers, count = {}, 0
    for i, line in enumerate(source.splitlines(), start=1):
        if line.strip() and not line.strip().startswith("#"):
            count += 1
        numbers[i] = count
    return numbers


def _edits(tree, code_line):
    """(description, mutated tree) for every single edit of the tree."""
    definition = tree.body[0]
    nodes = [n for n in ast.walk(definition) if n is not definition]
    for index, node in enumerate(nodes):
        for label, replacement in _node_edits(node):
            mutated = copy.deepcopy(tree)
            target = [n for n in ast.walk(mutated.body[0]) if n is not mutated.body[0]][index]
            if _replace(mutated, target, replacement):
                line = code_line[getattr(node, "lineno", definition.lineno)]
                yield f"line {line}: {label}", mutated
    for index, (body_owner, position) in enumerate(_statements(definition)):
        statement = getattr(body_owner, "body")[position]
        mutated = copy.deepcopy(tree)
        owner = _same_node(mutated, tree, body_owner)
        del owner.body[position]
        line = code_line[statement.lineno]
        yield f"line {line}: delete `{ast.unparse(statement)}`", mutated
    for function in [n for n in ast.walk(definition) if isinstance(n, ast.FunctionDef)]:
        for arg in function.args.args:
            if arg.arg == "self":
                continue
            mutated = copy.deepcopy(tree)
            owner = _same_node(mutated, tree, function)
            clip = ast.parse(f"{arg.arg} = np.clip({arg.arg}, -30, 30)").body[0]
            owner.body.insert(1 if ast.get_docstring(owner) else 0, clip)
            yield f"insert `{ast.unparse(clip)}` at the start of {function.name}", mutated


def _same_node(mutated, original, node):
    originals = list(ast.walk(original))
    return list(ast.walk(mutated))[originals.index(node)]


def _statements(definition):
    """(owner, index) of statements that can be deleted: assignments and calls in a body
    of more than one statement, not docstrings."""
    for owner in ast.walk(definition):
        body = getattr(owner, "body", None)
        if not isinstance(body, list) or len(body) < 2:
            continue
        for position, statement in enumerate(body):
            if isinstance(statement, (ast.Assign, ast.AugAssign)) or (
                    isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
                yield owner, position


def _replace(tree, target, replacement):
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, name, replacement)
                return True
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        value[i] = replacement
                        return True
    return False


def _with(node, **changes):
    new = copy.deepcopy(node)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def _show(old, new):
    return f"{ast.unparse(old)} -> {ast.unparse(new)}"


def _node_edits(node):
    """(label, replacement node) pairs for one node."""
    edits = []
    if isinstance(node, ast.BinOp):
        for op in _SWAP_OPS.get(type(node.op), []):
            edits.append(_with(node, op=op()))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult)):
            edits += [copy.deepcopy(node.left), copy.deepcopy(node.right)]   # a dropped term or factor
        if isinstance(node.op, ast.MatMult):
            for side in ("left", "right"):
                transposed = ast.Attribute(value=copy.deepcopy(getattr(node, side)), attr="T", ctx=ast.Load())
                edits.append(_with(node, **{side: transposed}))
    elif isinstance(node, ast.AugAssign):
        for op in _SWAP_OPS.get(type(node.op), []):
            edits.append(_with(node, op=op()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        edits.append(copy.deepcopy(node.operand))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in _SWAP_COMPARE.get(type(node.ops[0]), []):
            edits.append(_with(node, ops=[op()]))
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        edits.append(ast.Constant(not node.value))
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        edits.append(ast.Constant(node.value + 1))
        if node.value != 0:
            edits.append(ast.Constant(type(node.value)(0)))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        edits.append(copy.deepcopy(node.value))
    elif isinstance(node, ast.Attribute) and node.attr in _SWAP_NAMES:
        edits.append(_with(node, attr=_SWAP_NAMES[node.attr]))
    elif isinstance(node, ast.IfExp):
        edits.append(_with(node, body=copy.deepcopy(node.orelse), orelse=copy.deepcopy(node.body)))
    elif isinstance(node, ast.Call):
        edits += _call_edits(node)
    return [(_show(node, new), new) for new in edits]


def _call_edits(node):
    edits = []
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name == "where" and len(node.args) == 3:
        edits.append(_with(node, args=[node.args[0], node.args[2], node.args[1]]))
    if name in _UNWRAP and node.args:
        edits.append(copy.deepcopy(node.args[0]))
    if name == "exp" and len(node.args) == 1:
        clip = ast.parse("np.clip(_, -30, 30)", mode="eval").body
        clip.args[0] = copy.deepcopy(node.args[0])
        edits.append(_with(node, args=[clip]))
    for i, keyword in enumerate(node.keywords):
        others = node.keywords[:i] + node.keywords[i + 1:]
        if keyword.arg in ("axis", "keepdims"):
            edits.append(_with(node, keywords=copy.deepcopy(others)))          # the keyword dropped
        if keyword.arg == "axis" and isinstance(keyword.value, (ast.Constant, ast.UnaryOp)):
            value = ast.literal_eval(keyword.value)
            for other in {-1: (0,), 0: (1,), 1: (0,)}.get(value, ()):
                edits.append(_with(node, keywords=copy.deepcopy(others[:i]) + [ast.keyword("axis", ast.Constant(other))]
                                   + copy.deepcopy(others[i:])))
    return edits
