"""The OpenAPI document at /api/v1/openapi.json describes every route: a summary, tags, and a
response schema with its fields (DESIGN.md: every API response has a schema). The routes come
from the document, so a route added later is checked without editing this test."""

from __future__ import annotations

from typing import Any

import pytest

from quanyi.api import api

METHODS = ("get", "post", "put", "patch", "delete")


def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1")


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def described(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema that names its fields: an object with properties, or a list of such."""
    schema = resolve(schema, components)
    if schema.get("type") == "array":
        return described(schema.get("items", {}), components)
    return bool(schema.get("properties"))


def test_every_operation_has_a_summary_tags_and_a_described_response() -> None:
    components = document()["components"]["schemas"]
    found = operations()
    assert len(found) >= 9
    for method, path, operation in found:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), f"{where}: no summary"
        assert operation.get("tags"), f"{where}: no tags"
        responses = operation["responses"]
        successes = {code: answer for code, answer in responses.items() if 200 <= int(code) < 300}
        assert successes, f"{where}: no success response"
        for code, answer in successes.items():
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            assert schema is not None, f"{where} {code}: no schema"
            assert described(schema, components), f"{where} {code}: a bare object {schema}"
        for code in (403, 404, 422):
            refusal = operation["responses"][code]["content"]["application/json"]["schema"]
            assert described(refusal, components), f"{where} {code}: undescribed"


def test_the_case_schema_holds_the_cli_contract() -> None:
    """DESIGN.md: a case is printed as id, type, status, stage, decisions — the API's too."""
    case = document()["components"]["schemas"]["Case"]
    assert {"id", "type", "status", "stage", "decisions"} <= set(case["required"])
    assert set(
        resolve(case["properties"]["status"], document()["components"]["schemas"])["enum"]
    ) == {"open", "returned", "approved", "withdrawn"}


def test_the_record_parts_are_optional() -> None:
    """Parts the user may not see are absent (DESIGN.md, ``record show``)."""
    record = document()["components"]["schemas"]["Record"]
    assert {"person", "relations", "contributions", "account", "contribution_months"} <= set(
        record["properties"]
    )
    assert not record.get("required")


@pytest.mark.django_db
def test_the_api_docs_load_their_assets_from_this_server(client: Any) -> None:
    """An agency's network is often offline: Swagger UI comes from our static files."""
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "https://" not in page.split("<body")[0]
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
