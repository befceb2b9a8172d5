"""The layout's rules that import-linter does not state: no import cycles at all (not even
inside a package), SQL drivers only inside the SQLite backend, one Jinja environment. Measured
by the same script the README's figures come from (benchmarks/layout_metrics.py)."""

from __future__ import annotations

import importlib.util

from tests.support import REPOSITORY


def measure() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location(
        "layout_metrics", REPOSITORY / "benchmarks" / "layout_metrics.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures: dict[str, object] = module.measure(REPOSITORY / "src" / "paperfeed")
    return figures


def test_no_import_cycles_sql_only_in_the_sqlite_backend_one_jinja_environment() -> None:
    figures = measure()
    assert figures["cycles"] == [] and figures["package_cycles"] == []
    drivers = figures["sql_driver_imports"]
    assert isinstance(drivers, list) and drivers
    assert all(m.startswith("paperfeed.archive.sqlite.") for m in drivers), drivers
    assert figures["jinja_environments"] == ["paperfeed.publish.environment"]
