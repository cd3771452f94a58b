"""API reference rendered on the server from the OpenAPI document: no CDN, no JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

router = APIRouter(include_in_schema=False)


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_ref_name(s) or s.get("type", "?") for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_ref_name(schema.get('items'))}]"
    return str(schema.get("type", ""))


def _operations(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ok: dict[str, Any] = next(
                (r for code, r in op.get("responses", {}).items() if code.startswith("2")), {}
            )
            out = ok.get("content", {}).get("application/json", {})
            entry = {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {
                        "name": p["name"],
                        "in": p["in"],
                        "required": p.get("required", False),
                        "type": _ref_name(p.get("schema")),
                    }
                    for p in op.get("parameters", [])
                ],
                "body": _ref_name(body.get("schema")),
                "returns": _ref_name(out.get("schema")),
                "anchor": op.get("operationId", f"{method}{path}"),
            }
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append(entry)
    return by_tag


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    models = {
        name: [
            {
                "name": field,
                "type": _ref_name(info),
                "required": field in s.get("required", []),
                "description": info.get("description", ""),
            }
            for field, info in s.get("properties", {}).items()
        ]
        for name, s in sorted(schemas.items())
    }
    html = _env.get_template("docs.html").render(
        title=spec["info"]["title"],
        version=spec["info"]["version"],
        operations=_operations(spec),
        models=models,
    )
    return HTMLResponse(html)
