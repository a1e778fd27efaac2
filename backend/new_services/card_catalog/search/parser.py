"""Recursive-descent parser for the Scryfall-style query language (tokens -> syntax tree).

Grammar:  query := or_expr ;  or_expr := and_expr ("or" and_expr)* ;  and_expr := unary+ ;
          unary := "-" unary | "(" or_expr ")" | term ;
          term  := keyword op value | "!" name | word | "quoted phrase"
Every error names the offending term and its 0-based position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from backend.new_services.card_catalog.search.ast import And, Node, Not, Or, Term
from backend.new_services.card_catalog.search.vocabulary import (
    KEYWORD_ALIASES, KEYWORD_OPERATORS, REFUSED_KEYWORDS, REGEX_KEYWORDS,
)
from backend.request_handling.errors import BadRequestError

MAX_QUERY_LENGTH = 1000
MAX_DEPTH = 32
# Cost bounds: each term is a condition evaluated per candidate row, and a negation cannot use an
# index, so long lists of them make a short query text scan the catalog many times over.
MAX_TERMS = 50
MAX_NEGATIONS = 15
MAX_REGEX_LENGTH = 200
# `++` / `@@` before the query (or any term): Scryfall's old spellings of unique:prints / unique:art.
_UNIQUE_PREFIXES = {"++": "prints", "@@": "art"}
_KEYWORD = re.compile(r"([A-Za-z]+)(>=|<=|!=|:|=|<|>)")
_WORD_END = frozenset(" \t\r\n()")


class QuerySyntaxError(BadRequestError):
    """A query that cannot be parsed or compiled: 400 naming the term and where it is."""

    code = "invalid_query"

    def __init__(self, message: str, *, term: str, position: int):
        super().__init__(f"{message} (at position {position}: {term!r})",
                         details={"term": term, "position": position, "reason": message})
        self.term = term
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # LPAREN RPAREN NEG OR AND TERM
    position: int
    text: str
    term: Term | None = None


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            tokens.append(Token("LPAREN", i, ch))
            i += 1
        elif ch == ")":
            tokens.append(Token("RPAREN", i, ch))
            i += 1
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise QuerySyntaxError("'-' must be followed by a term", term="-", position=i)
            tokens.append(Token("NEG", i, ch))
            i += 1
        elif query.startswith(("++", "@@"), i):
            text = query[i:i + 2]
            tokens.append(Token("TERM", i, text, Term("unique", ":", _UNIQUE_PREFIXES[text], i, text, text)))
            i += 2
        elif ch == "!":
            start = i
            value, i = _read_value(query, i + 1, start)
            if not value.strip():
                raise QuerySyntaxError("'!' must be followed by a card name", term=query[start:i], position=start)
            text = query[start:i]
            tokens.append(Token("TERM", start, text, Term("exact", ":", value, start, text, "!")))
        elif ch == '"':
            start = i
            value, i = _read_quoted(query, i, start)
            text = query[start:i]
            tokens.append(Token("TERM", start, text, Term("name", ":", value, start, text)))
        else:
            start = i
            match = _KEYWORD.match(query, i)
            if match:
                written = match.group(1).lower()
                keyword = KEYWORD_ALIASES.get(written)
                if keyword is None:
                    _, end = _read_value(query, match.end(), start)
                    reason = REFUSED_KEYWORDS.get(written)
                    raise QuerySyntaxError(f"{written}: is not available here: {reason}" if reason
                                           else f"unknown keyword {match.group(1)!r}",
                                           term=query[start:end], position=start)
                operator = match.group(2)
                is_regex = match.end() < n and query[match.end()] == "/"
                if is_regex:
                    value, i = _read_regex(query, match.end(), start)
                else:
                    value, i = _read_value(query, match.end(), start)
                text = query[start:i]
                if not value:
                    raise QuerySyntaxError(f"{written}{operator} needs a value", term=text, position=start)
                if operator not in KEYWORD_OPERATORS[keyword]:
                    raise QuerySyntaxError(f"{written} does not accept the operator {operator!r}",
                                           term=text, position=start)
                if is_regex and keyword not in REGEX_KEYWORDS:
                    raise QuerySyntaxError(f"{written}: does not take a /regular expression/ (name, t, o, fo and "
                                           "ft do)", term=text, position=start)
                tokens.append(Token("TERM", start, text,
                                    Term(keyword, operator, value, start, text, written, regex=is_regex)))
            else:
                while i < n and query[i] not in _WORD_END and query[i] != '"':
                    i += 1
                word = query[start:i]
                lowered = word.lower()
                if lowered == "or":
                    tokens.append(Token("OR", start, word))
                elif lowered == "and":
                    tokens.append(Token("AND", start, word))
                else:
                    tokens.append(Token("TERM", start, word, Term("name", ":", word, start, word)))
    return tokens


def _read_quoted(query: str, i: int, term_start: int) -> tuple[str, int]:
    """`query[i]` is an opening quote; returns (content, index after the closing quote)."""
    end = query.find('"', i + 1)
    if end < 0:
        raise QuerySyntaxError("unterminated quote", term=query[term_start:], position=term_start)
    return query[i + 1:end], end + 1


def _read_regex(query: str, i: int, term_start: int) -> tuple[str, int]:
    """`query[i]` is the opening `/`; returns (the expression, index after the closing `/`).
    `\\/` inside stands for a slash; spaces and parentheses belong to the expression."""
    j = i + 1
    while j < len(query):
        if query[j] == "\\":
            j += 2
            continue
        if query[j] == "/":
            break
        j += 1
    if j >= len(query):
        raise QuerySyntaxError("unterminated regular expression (missing closing '/')",
                               term=query[term_start:], position=term_start)
    pattern = query[i + 1:j]
    if len(pattern) > MAX_REGEX_LENGTH:
        raise QuerySyntaxError(f"regular expression is longer than {MAX_REGEX_LENGTH} characters",
                               term=query[term_start:j + 1], position=term_start)
    return pattern, j + 1


def _read_value(query: str, i: int, term_start: int) -> tuple[str, int]:
    if i < len(query) and query[i] == '"':
        return _read_quoted(query, i, term_start)
    start = i
    while i < len(query) and query[i] not in _WORD_END:
        i += 1
    return query[start:i], i


class _Parser:
    def __init__(self, query: str, tokens: list[Token]):
        self.query = query
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return And(())
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            raise QuerySyntaxError("unexpected ')' without a matching '('", term=token.text, position=token.position)
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.parse_and(after=token))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, after: Token | None = None) -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None:
            if token.kind == "AND":
                if not children:
                    raise QuerySyntaxError("'and' needs a term before it", term=token.text, position=token.position)
                self.take()
                following = self.peek()
                if following is None or following.kind in ("OR", "AND", "RPAREN"):
                    raise QuerySyntaxError("'and' needs a term after it", term=token.text, position=token.position)
                continue
            if token.kind in ("TERM", "NEG", "LPAREN"):
                children.append(self.parse_unary())
            else:
                break
        if not children:
            token = self.peek()
            if after is not None:
                raise QuerySyntaxError(f"'{after.text}' needs a term after it", term=after.text, position=after.position)
            if token is not None and token.kind == "OR":
                raise QuerySyntaxError("'or' needs a term before it", term=token.text, position=token.position)
            where = token.position if token is not None else len(self.query)
            raise QuerySyntaxError("expected a search term", term=token.text if token else "", position=where)
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        token = self.take()
        if token.kind == "NEG":
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("TERM", "NEG", "LPAREN"):
                raise QuerySyntaxError("'-' must be followed by a term", term="-", position=token.position)
            return Not(self._nested(self.parse_unary, token), token.position)
        if token.kind == "LPAREN":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "RPAREN":
                raise QuerySyntaxError("empty parentheses", term="()", position=token.position)
            node = self._nested(self.parse_or, token)
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise QuerySyntaxError("'(' is never closed", term="(", position=token.position)
            self.take()
            return node
        return token.term  # TERM

    def _nested(self, parse, token: Token) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"query nests deeper than {MAX_DEPTH} levels", term=token.text,
                                   position=token.position)
        try:
            return parse()
        finally:
            self.depth -= 1


def parse_query(query: str) -> Node:
    """Parse a query into a syntax tree; raises QuerySyntaxError (400) on malformed input."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query is longer than {MAX_QUERY_LENGTH} characters",
                               term=query[:20], position=MAX_QUERY_LENGTH)
    if "\x00" in query:
        raise QuerySyntaxError("query contains a NUL character", term="\\x00", position=query.index("\x00"))
    tokens = tokenize(query)
    _check_cost_bounds(tokens)
    return _Parser(query, tokens).parse()


def _check_cost_bounds(tokens: list[Token]) -> None:
    terms = negations = 0
    for token in tokens:
        if token.kind == "TERM":
            terms += 1
            if terms > MAX_TERMS:
                raise QuerySyntaxError(f"query has more than {MAX_TERMS} terms", term=token.text,
                                       position=token.position)
        elif token.kind == "NEG":
            negations += 1
            if negations > MAX_NEGATIONS:
                raise QuerySyntaxError(f"query has more than {MAX_NEGATIONS} negations ('-')", term=token.text,
                                       position=token.position)
