"""The topic query language: text -> an immutable syntax tree, with precise syntax errors.

A query is a boolean combination of terms::

    "reinforcement learning" OR RL*            a phrase, or a word with a prefix wildcard
    ti:(diffusion OR flow) AND policy          a field scope on a word, phrase or group
    robot* -au:"Sergey Levine" NOT cat:cs.CV   "-term" is shorthand for NOT term

Rules, in the order they are applied:

- **A plain string is one phrase.** When the text has no double quote, no parenthesis, no field
  prefix, no upper-case ``AND`` / ``OR`` / ``NOT`` word and no word starting with ``-``, the whole
  string is a single phrase: ``reinforcement learning`` means ``"reinforcement learning"``, never
  ``reinforcement AND learning``. This keeps the config value ``query = "diffusion policy"``
  meaning what it says.
- Operators are the upper-case words ``AND``, ``OR`` and ``NOT``. Lower-case ``and``, ``or`` and
  ``not`` are ordinary search words, so ``"not a number"`` is a phrase of three words.
  Terms side by side without an operator are ANDed. Precedence: ``NOT`` (and ``-``) binds
  tightest, then ``AND``, then ``OR``; parentheses group.
- Field scopes ``ti:`` (title), ``abs:`` (abstract), ``au:`` (authors), ``all:`` (title,
  abstract and authors) and ``cat:`` (categories) apply to the word, ``"phrase"`` or
  ``(group)`` written directly after them; an inner scope overrides an outer one. Without a
  scope a term searches the title and the abstract. Any run of letters directly followed by
  ``:`` is read as a field prefix, so an unknown one (``foo:bar``) is an error.
- ``cat:`` takes a category code (``cat:cs.RO``, any case, arXiv's aliases included:
  ``cat:eess.SY`` also finds ``cs.SY``) or an archive (``cat:cs`` or ``cat:cs.*``: any cs
  category).
- Words are runs of letters and digits; everything else separates words. Matching is
  case-insensitive and accent-insensitive in every field, both ways (``sebastien`` finds
  "Sébastien", ``au:lundstrom`` finds "Lundström", ``Rémy`` finds "Remy"), including the Latin
  letters Unicode does not decompose into a letter and an accent (``jorgensen`` finds
  "Jørgensen", ``lukasz`` finds "Łukasz", ``yilmaz`` finds "Yılmaz", ``aero`` finds "Ærø").
  The text recorded for a match is always the text as the paper wrote it. A phrase is a
  sequence of words, so ``"reinforcement learning"`` finds "Reinforcement-Learning" and
  "reinforcement\\n  learning", and a word with inner punctuation (``Q-learning``, ``GPT-4``)
  is a phrase of its parts. Words match whole words only (``RL`` never finds "URL", ``agent``
  never finds "agentic"); a trailing ``*`` makes a word a prefix (``robot*``). In the title and
  abstract the last word of a term also finds its plural (``policy`` -> "policies",
  ``transformer`` -> "transformers", ``box`` -> "boxes"); a query in the plural does not find
  the singular.

- Nesting is limited to ``MAX_NESTING`` (50) levels of parentheses and ``NOT`` / ``-``
  together, far more than a topic needs; a deeper query is a syntax error pointing at the first
  ``(`` or ``NOT`` beyond the limit. So every syntax tree is at most that deep, and code that
  walks it recursively (the matcher, a translation into SQL full-text queries) is safe.

Syntax errors raise :class:`paperfeed.errors.QueryError` whose ``position`` is the 0-based offset
of the offending character: the unclosed ``(`` or unmatched ``)``, the opening quote of an
unterminated phrase, the operator with nothing after it, the unknown field prefix, the ``(`` or
``NOT`` nested too deep. No query text makes the parser fail any other way.

The syntax tree (:data:`Query`: :class:`Phrase`, :class:`CategoryTerm`, :class:`Not`,
:class:`And`, :class:`Or`) is the language's public form: immutable, hashable, compared by
value, holding folded words and the fields each term searches, with nothing of the matcher in
it, so other code (search) can walk it and translate it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from paperfeed.core import taxonomy
from paperfeed.core.errors import QueryError
from paperfeed.core.records import Field, fold_whitespace
from paperfeed.core.topics.words import WORD_PATTERN, fold_word, scan_form, word_matches, words_of

__all__ = [
    "DEFAULT_FIELDS",
    "MAX_NESTING",
    "WORD_PATTERN",
    "And",
    "CategoryTerm",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "TextField",
    "category_term",
    "fold_word",
    "parse_query",
    "scan_form",
    "word_matches",
    "words_of",
]

TextField = Literal["title", "abstract", "authors"]
DEFAULT_FIELDS: tuple[TextField, ...] = ("title", "abstract")
_TEXT_FIELDS: dict[Field, TextField] = {
    "title": "title",
    "abstract": "abstract",
    "authors": "authors",
}
FIELD_PREFIXES: dict[str, tuple[Field, ...]] = {
    "ti": ("title",),
    "abs": ("abstract",),
    "au": ("authors",),
    "all": ("title", "abstract", "authors"),
    "cat": ("categories",),
}
# Levels of parentheses and NOT / "-" one query may nest (see the module docstring).
MAX_NESTING = 50
_FIELD_PREFIX = re.compile(r"([A-Za-z]+):")
_SCOPE_TARGET = 'must be followed directly by a word, a "phrase" or a (group)'
_BARE_WORD = re.compile(r'[^\s()"]+')


# --- the syntax tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrase:
    """A word or phrase: a sequence of folded words, searched in ``fields``.

    A word ending in ``*`` is a prefix. ``term`` is the term as the query wrote it, without
    quotes or field prefix ("reinforcement learning", "robot*").
    """

    term: str
    words: tuple[str, ...]
    fields: tuple[TextField, ...] = DEFAULT_FIELDS
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CategoryTerm:
    """``cat:`` term: exact codes (folded, aliases included) or a whole archive."""

    term: str  # as written: "cs.RO", "cs.*", "cs"
    codes: frozenset[str] = frozenset()  # folded exact codes; empty for an archive term
    archive: str = ""  # folded archive name; empty for an exact term
    position: int = field(default=0, compare=False)

    def matches(self, category: str) -> bool:
        folded = category.strip().lower()
        if self.archive:
            return folded.split(".", 1)[0] == self.archive
        return folded in self.codes


@dataclass(frozen=True, slots=True)
class Not:
    operand: Query


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Query, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Query, ...]


Query: TypeAlias = Phrase | CategoryTerm | Not | And | Or


def category_term(spec: str, *, position: int = 0) -> CategoryTerm:
    """A category or archive spec ("cs.RO", "cs", "cs.*") as a term; ValueError when unknown."""
    text = spec.strip()
    if text.endswith(".*"):
        stem, wildcard = text[:-2], True
    elif text.endswith("*"):
        stem, wildcard = text[:-1], True
    else:
        stem, wildcard = text, False
    if stem and "." not in stem and taxonomy.archive_name(stem) is not None:
        return CategoryTerm(term=text, archive=stem.lower(), position=position)
    if not wildcard and stem and taxonomy.normalize_code(stem) is not None:
        codes = frozenset(code.lower() for code in taxonomy.equivalent_categories(stem))
        return CategoryTerm(term=text, codes=codes | {stem.lower()}, position=position)
    raise ValueError(f"unknown arXiv category or archive {spec!r} (e.g. cs.RO, cs, cs.*)")


# --- lexing ------------------------------------------------------------------------------------

_Kind = Literal["word", "phrase", "(", ")", "AND", "OR", "NOT", "-", "field"]
_KEYWORD_KINDS: dict[str, _Kind] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str  # the word, the phrase's inside, the operator, the field prefix without ':'
    position: int


class _Syntax(Exception):
    """A syntax error before it is given the query and topic it belongs to."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Token("(" if c == "(" else ")", c, i))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _Syntax('unterminated quote: this " is never closed', i)
            tokens.append(_Token("phrase", text[i + 1 : end], i))
            i = end + 1
        elif c == "-":
            if i + 1 >= n or text[i + 1].isspace() or text[i + 1] == ")":
                raise _Syntax("'-' must be written directly before the term it excludes", i)
            tokens.append(_Token("-", "-", i))
            i += 1
        elif m := _FIELD_PREFIX.match(text, i):
            name = m.group(1).lower()
            if name not in FIELD_PREFIXES:
                raise _Syntax(f"unknown field '{m.group(0)}' (use ti:, abs:, au:, cat:, all:)", i)
            after = m.end()
            if after >= n or text[after].isspace() or text[after] == ")":
                raise _Syntax(
                    f"'{m.group(0)}' {_SCOPE_TARGET}",
                    i,
                )
            tokens.append(_Token("field", name, i))
            i = after
        else:
            word_match = _BARE_WORD.match(text, i)
            assert word_match is not None  # c is none of whitespace, parenthesis, quote
            word = word_match.group(0)
            tokens.append(_Token(_KEYWORD_KINDS.get(word, "word"), word, i))
            i = word_match.end()
    return tokens


# --- parsing -----------------------------------------------------------------------------------


def parse_query(
    text: str,
    *,
    topic: str = "",
    role: str = "",
    default_fields: tuple[TextField, ...] = DEFAULT_FIELDS,
) -> Query:
    """Parse a topic query (syntax in the module docstring); QueryError on a syntax error.

    ``topic`` names the topic in the error message; ``role`` says which of its queries this is
    ("exclude") when it is not the main one. ``default_fields``: what a term without a scope
    searches (topics: title and abstract; the archive's search adds the authors).
    """
    try:
        return _parse(text, default_fields)
    except _Syntax as problem:
        message = f"{role} query: {problem.message}" if role else problem.message
        raise QueryError(message, query=text, position=problem.position, topic=topic) from None


def _parse(text: str, default_fields: tuple[TextField, ...]) -> Query:
    tokens = _lex(text)
    if not tokens:
        raise _Syntax('empty query: write a word or a "phrase"', 0)
    if all(t.kind == "word" for t in tokens):
        # The plain-string rule: no syntax at all means the whole string is one phrase.
        return _phrase(fold_whitespace(text), tokens[0].position, default_fields)
    return _Parser(tokens, default_fields).parse()


def _phrase(written: str, position: int, fields: tuple[Field, ...]) -> Phrase:
    words: list[str] = []
    for m in WORD_PATTERN.finditer(written):
        word = fold_word(m.group())
        words.append(word + "*" if written[m.end() : m.end() + 1] == "*" else word)
    if not written:
        raise _Syntax('empty phrase "": put words between the quotes', position)
    if not words:
        raise _Syntax(
            f"nothing to search for in {written!r}: a term needs letters or digits", position
        )
    text_fields = tuple(_TEXT_FIELDS[f] for f in fields if f in _TEXT_FIELDS)
    return Phrase(term=written, words=tuple(words), fields=text_fields, position=position)


_OPERATORS = ("AND", "OR", "NOT", "-")


class _Parser:
    """Recursive descent over the tokens: or := and (OR and)*; and := unary ([AND] unary)*;
    unary := (NOT | -) unary | primary; primary := field primary | ( or ) | phrase | word."""

    def __init__(self, tokens: list[_Token], default_fields: tuple[TextField, ...]) -> None:
        self.tokens = tokens
        self.default_fields = default_fields
        self.index = 0
        self.depth = 0  # the groups and NOTs around the current token

    def enter(self, token: _Token) -> None:
        """One level deeper, at a '(' or a NOT; the limit keeps every tree shallow enough for
        the recursive code that walks it (and this parser) whatever the query text."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _Syntax(
                f"too deeply nested: at most {MAX_NESTING} levels of parentheses and NOT; "
                "simplify the query",
                token.position,
            )

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Query:
        query = self.parse_or(self.default_fields, after=None)
        extra = self.peek()
        if extra is not None:  # parse_or stops only at the end or at a ')'
            raise _Syntax("unbalanced parenthesis: this ')' has no matching '('", extra.position)
        return query

    def parse_or(self, fields: tuple[Field, ...], after: _Token | None) -> Query:
        operands = [self.parse_and(fields, after)]
        while (token := self.peek()) is not None and token.kind == "OR":
            operands.append(self.parse_and(fields, self.take()))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self, fields: tuple[Field, ...], after: _Token | None) -> Query:
        operands = [self.parse_unary(fields, after)]
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                operands.append(self.parse_unary(fields, self.take()))
            else:
                operands.append(self.parse_unary(fields, None))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_unary(self, fields: tuple[Field, ...], after: _Token | None) -> Query:
        token = self.peek()
        if token is not None and token.kind in ("NOT", "-"):
            self.enter(token)
            negated = Not(self.parse_unary(fields, self.take()))
            self.depth -= 1
            return negated
        return self.parse_primary(fields, after)

    def parse_primary(self, fields: tuple[Field, ...], after: _Token | None) -> Query:
        """``after`` is the token just before: an operator, a '(', or None."""
        token = self.peek()
        if token is None or token.kind == ")":
            if after is not None and after.kind in _OPERATORS:
                raise _Syntax(f"'{after.text}' needs a term after it", after.position)
            if after is not None and after.kind == "(":
                if token is None:
                    raise _Syntax(
                        "unbalanced parenthesis: this '(' is never closed", after.position
                    )
                raise _Syntax("empty group '()': put a term inside", after.position)
            assert token is not None  # an empty query never reaches the parser
            raise _Syntax("unbalanced parenthesis: this ')' has no matching '('", token.position)
        self.take()
        if token.kind in ("AND", "OR"):
            if after is not None and after.kind in _OPERATORS:
                raise _Syntax(
                    f"'{token.text}' follows '{after.text}' with no term between them",
                    token.position,
                )
            raise _Syntax(f"'{token.text}' needs a term before it", token.position)
        if token.kind == "(":
            self.enter(token)
            inner = self.parse_or(fields, token)
            if self.peek() is None:
                raise _Syntax("unbalanced parenthesis: this '(' is never closed", token.position)
            self.take()  # the ')'
            self.depth -= 1
            return inner
        if token.kind == "field":
            target = self.peek()
            if target is None or target.kind not in ("word", "phrase", "("):
                raise _Syntax(
                    f"'{token.text}:' {_SCOPE_TARGET}",
                    token.position,
                )
            return self.parse_primary(FIELD_PREFIXES[token.text], token)
        # a word or a phrase
        if fields == ("categories",):
            return self.category(token)
        return _phrase(fold_whitespace(token.text), token.position, fields)

    def category(self, token: _Token) -> CategoryTerm:
        try:
            return category_term(token.text, position=token.position)
        except ValueError as problem:
            raise _Syntax(str(problem), token.position) from None
