"""The OpenAPI schema fuzzed with schemathesis, in-process: whatever the schema allows (and much
that it does not), the API answers without a server error, with the status codes and documents
the schema promises."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from paperfeed.app.web import api, create_app
from tests.support.web_samples import archive_copy, csrf_token, options


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    database = archive_copy(tmp_path_factory.mktemp("fuzz"), tmp_path_factory)
    # schemathesis's client calls itself "testserver": let that name in as a loopback name.
    return create_app(options(database, allowed_hosts=("testserver",)))


@pytest.fixture(scope="module")
def reader(app: FastAPI) -> dict[str, Any]:
    """A reader's cookie and CSRF token, so that writes get past CSRF and reach the store."""
    with TestClient(app) as client:
        token = csrf_token(client)
        return {"headers": {"X-CSRF-Token": token}, "cookies": dict(client.cookies)}


def api_document() -> dict[str, Any]:
    """The API's OpenAPI document, made without an archive: schemathesis needs it when the
    module is collected (its lazy fixture loader does not work with this pytest)."""
    bare = FastAPI(title="paperfeed", openapi_url="/api/openapi.json")
    bare.include_router(api.router)
    return bare.openapi()


schema = schemathesis.openapi.from_dict(api_document())


def test_the_fuzzed_schema_is_the_one_the_app_serves(app: FastAPI) -> None:
    with TestClient(app) as client:
        served = client.get("/api/openapi.json").json()
    assert served["paths"] == api_document()["paths"]
    assert served["components"] == api_document()["components"]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(
    case: schemathesis.Case, app: FastAPI, reader: dict[str, Any]
) -> None:
    case.call_and_validate(app=app, headers=reader["headers"], cookies=reader["cookies"])
