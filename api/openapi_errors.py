"""The OpenAPI schema documents the 422 body the app really sends.

FastAPI documents 422 as a list of validation errors. Routes also answer 422 through ApiError
with `{"detail": "<a sentence>", "field"?}`, and api/errors.py adds `message` to validation
errors. Clients generated from the schema (and the fuzzer) must accept both shapes.
"""

from fastapi import FastAPI


def document_error_shapes(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()  # caches the dict in app.openapi_schema; amended in place below
        error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
        if error:
            items = {"$ref": "#/components/schemas/ValidationError"}
            error["properties"] = {
                "detail": {
                    "title": "Detail",
                    "anyOf": [{"type": "array", "items": items}, {"type": "string"}],
                },
                "message": {"title": "Message", "type": "string"},
                "field": {"title": "Field", "type": "string"},
            }
        return schema

    app.openapi = openapi
