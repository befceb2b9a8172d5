"""The one Jinja environment factory: loader, autoescaping by file name, strictness, filters."""

from __future__ import annotations

import ast

import jinja2
import pytest

from paperfeed.publish.environment import FILTERS, TARGETS, environment, render_template
from tests.support import REPOSITORY

SOURCES = REPOSITORY / "src" / "paperfeed"


def test_only_the_factory_uses_jinja() -> None:
    importers = []
    for path in sorted(SOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "jinja2" for name in names):
                importers.append(path.relative_to(SOURCES).as_posix())
    assert importers == ["publish/environment.py"]


def test_every_template_is_named_with_its_target_folder() -> None:
    names = environment("digest").list_templates(extensions=["j2"])
    assert {name.partition("/")[0] for name in names} == set(TARGETS)
    assert "digest/digest.html.j2" in names and "web/layout.html.j2" in names
    for target in TARGETS:  # one loader: every target's environment finds every template
        assert environment(target).list_templates(extensions=["j2"]) == names


@pytest.mark.parametrize("target", TARGETS)
def test_autoescape_follows_the_file_name(target: str) -> None:
    env = environment(target)
    assert callable(env.autoescape)
    assert env.autoescape("digest/digest.html.j2") is True
    assert env.autoescape("web/_macros.html.j2") is True
    assert env.autoescape("digest/digest.md.j2") is False
    assert env.autoescape("email/email.txt.j2") is False
    assert env.autoescape("site/unknown.j2") is True  # anything else: escaped, to be safe
    assert env.undefined is jinja2.StrictUndefined
    assert env.trim_blocks and env.lstrip_blocks
    assert FILTERS.items() <= env.filters.items()


def test_files_keep_their_last_newline_web_fragments_do_not() -> None:
    site = render_template(
        "site/search.html.j2", site={"title": "t", "root": "", "generated": ""}, page_title="p"
    )
    assert site.endswith("</html>\n")
    error = render_template(
        "web/error.html.j2", status=404, heading="Not Found", message="m", hint=""
    )
    assert error.endswith("</main>")
    assert environment("digest") is environment("email") is environment("site")
    assert environment("web") is not environment("digest")


def test_undefined_names_are_errors() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("web/error.html.j2", status=404, heading="Not Found", message="m")


def test_unknown_target() -> None:
    with pytest.raises(ValueError, match="no template target 'pdf'"):
        render_template("pdf/digest.j2")


def test_html_templates_escape_data_and_markdown_ones_leave_it_to_filters() -> None:
    hostile = "<script>{{7*7}}</script>"
    error = render_template(
        "web/error.html.j2", status=500, heading=hostile, message=f"run `{hostile}`", hint=""
    )
    assert "<script>" not in error and "{{7*7}}" in error
    assert "<code>&lt;script&gt;{{7*7}}&lt;/script&gt;</code>" in error
