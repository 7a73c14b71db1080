"""A table's structure as its identities give it: which identities are row-local, and which
rows the others tie together (the constraint graph, networkx), so that each connected component
is solved on its own. Worked out once per table shape."""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np

from tablerecon.caches import register
from tablerecon.templates import Equation


def _equation_arrays(
    equations: list[Equation], n_rows: int, n_cols: int
) -> tuple[list[list[tuple[np.ndarray, np.ndarray]]], list[Equation]]:
    """Split equations into row-local coefficient vectors and global ones."""
    local: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n_rows)]
    global_eqs: list[Equation] = []
    for eq in equations:
        rows = {r for r, _, _ in eq.terms}
        if len(rows) == 1:
            coef = np.zeros(n_cols)
            for _, c, a in eq.terms:
                coef[c] += a
            local[next(iter(rows))].append((coef, np.nonzero(coef)[0]))
        else:
            global_eqs.append(eq)
    return local, global_eqs


def constraint_graph(eq_rows: tuple[tuple[int, ...], ...], n_rows: int) -> nx.Graph:
    """Rows and identities (given by the rows each touches) as a bipartite graph; its
    components can be solved apart."""
    g = nx.Graph()
    g.add_nodes_from(("row", r) for r in range(n_rows))
    for k, rows in enumerate(eq_rows):
        g.add_node(("eq", k))
        g.add_edges_from((("eq", k), ("row", r)) for r in rows)
    return g


def _rows_of(eq: Equation) -> tuple[int, ...]:
    return tuple(sorted({t[0] for t in eq.terms}))


def _components(
    eq_rows: tuple[tuple[int, ...], ...], n_rows: int
) -> tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], dict[str, int]]:
    """The constraint graph's components, each as (rows, equation indices), and the graph's size
    (built once per table shape: see table_shape)."""
    graph = constraint_graph(eq_rows, n_rows)
    parts = tuple(
        (
            tuple(sorted(r for kind, r in component if kind == "row")),
            tuple(sorted(k for kind, k in component if kind == "eq")),
        )
        for component in nx.connected_components(graph)
    )
    size = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(), "components": len(parts)}
    return parts, size


class _Shape(NamedTuple):
    """What a table's identities say about its structure, whatever its values: worked out once
    per template, rows found and columns, since tables repeat these from report to report."""

    #: Per row: its row-local identities as (coefficients over columns, columns they touch).
    local: list[list[tuple[np.ndarray, np.ndarray]]]
    local_eqs: dict[int, list[Equation]]
    #: Per independent component: its usable rows, its global identities, and per row the
    #: (columns x identities) coefficients giving each candidate's contribution to them.
    components: list[tuple[list[int], list[Equation], list[np.ndarray]]]
    graph: dict[str, int]


#: Shapes by (equation object ids, usable rows, columns); each entry keeps its equations, so an
#: id reused by a later object is no false hit. Never mutated once built.
_SHAPES: dict[tuple[object, ...], tuple[tuple[Equation, ...], _Shape]] = {}
_SHAPES_SIZE = 256
register(_SHAPES.clear)


def table_shape(equations: list[Equation], usable: list[bool], n_cols: int) -> _Shape:
    key = (tuple(map(id, equations)), tuple(usable), n_cols)
    hit = _SHAPES.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], equations, strict=True)):
        return hit[1]
    if len(_SHAPES) >= _SHAPES_SIZE:
        _SHAPES.clear()
    n_rows = len(usable)
    # Identities that touch rows we cannot place are not usable as constraints.
    kept = [eq for eq in equations if all(usable[t[0]] for t in eq.terms)]
    local, global_eqs = _equation_arrays(kept, n_rows, n_cols)
    local_eqs: dict[int, list[Equation]] = {}
    for eq in kept:
        if len({t[0] for t in eq.terms}) == 1:
            local_eqs.setdefault(eq.terms[0][0], []).append(eq)
    parts, graph = _components(tuple(_rows_of(eq) for eq in global_eqs), n_rows)
    components = []
    for part_rows, part_eqs in parts:
        comp_rows = [r for r in part_rows if usable[r]]
        if not comp_rows:
            continue
        comp_eqs = [global_eqs[k] for k in part_eqs]
        index = {r: i for i, r in enumerate(comp_rows)}
        coefs = [np.zeros((n_cols, len(comp_eqs))) for _ in comp_rows]
        for g, eq in enumerate(comp_eqs):
            for r, c, a in eq.terms:
                coefs[index[r]][c, g] += a
        components.append((comp_rows, comp_eqs, coefs))
    shape = _Shape(local, local_eqs, components, graph)
    _SHAPES[key] = (tuple(equations), shape)
    return shape
