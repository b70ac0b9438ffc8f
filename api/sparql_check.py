"""Vet a SPARQL request before anything evaluates it: parse it with a real grammar, refuse
what must never run, and say which form it is.

Why a parser and not text matching: the old check stripped comments, strings and IRIs by
hand and looked for the word SERVICE; `ex:a\\#` (an escaped `#` inside a prefixed name) made
it treat the rest of the line as a comment, so a SERVICE clause there reached the engine
and the public endpoint fetched any URL. Here the query is parsed with tree-sitter's SPARQL
grammar into a syntax tree and the tree is walked: a `service_graph_pattern` or a `load`
operation anywhere refuses the request, whatever its spelling.

Why tree-sitter: its parser is a table-driven state machine in C, iterative, so 5,000
nested braces cannot exhaust a stack (pyoxigraph's and rdflib's recursive-descent parsers
can), and it parses the example queries in ~0.1 ms (rdflib's pyparsing grammar takes
12-68 ms, more than the whole endpoint's overhead budget). Its grammar is stricter than
some engines on rare syntax (RDF 1.2 triple terms): a request it cannot parse is parsed
again with rdflib's SPARQL parser and the same walk runs over rdflib's algebra, so a valid
query is never refused for the grammar's sake. The nesting and size limits are checked on
the token stream first, which bounds what either parser sees.

Everything here is pure; the query workers (api.query_workers) call it in their own
processes, so a parser fault can never take the service down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

READ_FORMS = {"select_query": "SELECT", "ask_query": "ASK", "construct_query": "CONSTRUCT",
              "describe_query": "DESCRIBE"}
UPDATE_OPS = {"load": "LOAD", "clear": "CLEAR", "drop": "DROP", "create": "CREATE", "add": "ADD", "move": "MOVE",
              "copy": "COPY", "insert_data": "INSERT", "delete_data": "DELETE", "delete_where": "DELETE",
              "modify": "MODIFY"}
_TAIL = re.compile(r"(?:\s|;|#[^\n]*)*")
OPENERS = {"{", "(", "["}
CLOSERS = {"}", ")", "]"}


@dataclass(frozen=True)
class Limits:
    max_chars: int = 100_000  # the SPARQL text, in characters
    max_depth: int = 64  # nesting of {…}, (…) and […]


class Refused(Exception):
    """The request is at fault: status, machine code, message (api.errors.ApiError's shape)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def args_tuple(self) -> tuple[int, str, str]:
        return self.status, self.code, self.message


@lru_cache(maxsize=1)
def _parser():
    import warnings

    import tree_sitter_sparql
    from tree_sitter import Language, Parser

    with warnings.catch_warnings():  # the grammar package hands over a pointer, which tree-sitter 0.2x deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        return Parser(Language(tree_sitter_sparql.language()))


def _walk(root):
    """Every node, iteratively (a recursive walk would hit the depth the limits guard)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _depth(root) -> int:
    depth = deepest = 0
    for node in _leaves_in_order(root):
        if node.type in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif node.type in CLOSERS:
            depth -= 1
    return deepest


def _leaves_in_order(root):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.child_count == 0:
            yield node
        else:
            stack.extend(reversed(node.children))


def check(text: str, *, update: bool = False, limits: Limits = Limits()) -> str:
    """The request's form (SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE); raises Refused
    for what must not run."""
    if not text or not text.strip():
        raise Refused(400, "missing_query", "no SPARQL given: send it as query= (or update=)")
    if len(text) > limits.max_chars:
        raise Refused(400, "query_too_large",
                      f"the request is {len(text):,} characters long; the limit is {limits.max_chars:,}")
    tree = _parser().parse(text.encode("utf-8"))
    root = tree.root_node
    depth = _depth(root)
    if depth > limits.max_depth:
        raise Refused(400, "query_too_complex",
                      f"the request nests brackets {depth} deep; the limit is {limits.max_depth}")
    if root.has_error:
        return _check_with_rdflib(text, update)
    forms = []
    for node in _walk(root):
        if node.type == "service_graph_pattern":
            raise _service_refused()
        if node.type == "load":
            raise _load_refused()
    if update:
        for op in root.children:
            if op.type in UPDATE_OPS and _writes_default_graph(op):
                raise _default_graph_refused()
    for node in root.children:
        if node.type in READ_FORMS:
            forms.append(READ_FORMS[node.type])
        elif node.type in UPDATE_OPS:
            forms.append("UPDATE")
    return _form(forms, update)


def update_body(text: str) -> str:
    """The update without its trailing `;`, comments and blanks, so operations can be
    appended to it (a trailing `# comment` would otherwise swallow the separator)."""
    data = text.encode("utf-8")
    root = _parser().parse(data).root_node
    end = None
    for leaf in _leaves_in_order(root):
        if leaf.type not in ("comment", ";") and not leaf.type.isspace():
            end = leaf.end_byte
    if end is None:
        return text
    body, tail = data[:end].decode("utf-8"), data[end:].decode("utf-8")
    # the tree only finds the cut; what is cut must be separators and comments alone
    return body if _TAIL.fullmatch(tail) else text


def _writes_default_graph(op) -> bool:
    """An INSERT/DELETE whose template puts triples outside any GRAPH block (and no WITH
    names a graph): they would land in the default graph, which budgetkg keeps as the
    union of the disclosure graphs and rebuilds after every update — silently undone."""
    if op.type == "modify" and any(c.type == "WITH" for c in op.children):
        return False
    templates = [op] if op.type in ("insert_data", "delete_data", "delete_where") else \
        [c for c in op.children if c.type in ("insert_clause", "delete_clause")]
    for t in templates:
        for quads in (c for c in t.children if c.type == "quads"):
            if any(c.type == "triples_template" for c in quads.children):
                return True
    return False


def _default_graph_refused() -> Refused:
    return Refused(400, "default_graph_write",
                   "this update writes to the default graph, which is the union of the disclosure graphs and is "
                   "rebuilt after every update (the write would be undone): put the triples in a named graph, "
                   "e.g. INSERT DATA { GRAPH <urn:my-graph> { … } }")


def _service_refused() -> Refused:
    return Refused(403, "service_refused",
                   "SERVICE (federated query) is not allowed on this endpoint: it never calls other servers")


def _load_refused() -> Refused:
    return Refused(403, "load_refused", "LOAD is not allowed: this service never fetches data from other servers")


def _form(forms: list[str], update: bool) -> str:
    if not forms:
        raise Refused(400, "sparql_syntax", "SPARQL syntax error: no query or update operation found")
    is_update = forms[0] == "UPDATE"
    if is_update and not update:
        raise Refused(400, "update_as_query", "this is an update: send it as update= with a write token, not as query=")
    if update and not is_update:
        raise Refused(400, "query_as_update", f"{forms[0]} is a query: send it as query=, not as update=")
    return forms[0]


def _check_with_rdflib(text: str, update: bool) -> str:
    """The fallback parse (module docstring). rdflib's parser recurses; the token-level
    depth limit above bounds it, and it runs in a query worker, never in the service."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import algebra, parser

    try:
        if update:
            parsed = algebra.translateUpdate(parser.parseUpdate(text))
            nodes = list(parsed.algebra)
            form = "UPDATE"
        else:
            parsed = algebra.translateQuery(parser.parseQuery(text))
            nodes = [parsed.algebra]
            form = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                    "DescribeQuery": "DESCRIBE"}.get(parsed.algebra.name, "SELECT")
    except ParseException as e:
        other = _parses_as_other(text, update)
        if other:
            raise Refused(*other) from None
        raise Refused(400, "sparql_syntax", f"SPARQL syntax error at line {e.lineno}, column {e.col}: {e.msg}") from None
    except RecursionError:
        raise Refused(400, "query_too_complex", "the request nests too deeply to be parsed") from None
    except Exception as e:  # noqa: BLE001 - rdflib raises plain Exceptions for semantic errors
        raise Refused(400, "sparql_syntax", f"SPARQL error: {e}") from None
    for node in _algebra_nodes(nodes):
        name = getattr(node, "name", "")
        if update and name in ("InsertData", "DeleteData", "DeleteWhere", "Modify") and _algebra_default_write(node):
            raise _default_graph_refused()
        if name == "ServiceGraphPattern":
            raise _service_refused()
        if name == "Load":
            raise _load_refused()
    return form


def _algebra_default_write(node) -> bool:
    """rdflib's side of _writes_default_graph: a template with plain `triples`."""
    if node.name == "Modify":
        if node.get("withClause"):
            return False
        return any(bool(getattr(part, "triples", None)) for part in (node.get("insert"), node.get("delete")) if part)
    return bool(node.get("triples"))


def _parses_as_other(text: str, update: bool) -> tuple[int, str, str] | None:
    """A query sent as an update (or the other way round) deserves that message rather
    than a syntax error."""
    from rdflib.plugins.sparql import parser

    try:
        (parser.parseQuery if update else parser.parseUpdate)(text)
    except Exception:  # noqa: BLE001 - it is not the other kind either
        return None
    if update:
        return 400, "query_as_update", "this is a query: send it as query=, not as update="
    return 400, "update_as_query", "this is an update: send it as update= with a write token, not as query="


def _algebra_nodes(roots):
    """rdflib's algebra (CompValue dicts, lists, terms), walked iteratively."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = list(roots)
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple | set):
            stack.extend(node)
