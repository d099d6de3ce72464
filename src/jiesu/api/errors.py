"""Every error leaves as HTTP 4xx JSON: ``{code, message_zh, message_en, details?}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jiesu.domain.errors import JiesuError

_HTTP_CODES = {
    404: ("http.not_found", "页面或接口不存在", "Not found"),
    405: ("http.method_not_allowed", "不支持该请求方法", "Method not allowed"),
}


def error_body(code: str, zh: str, en: str, **details) -> dict:
    body = {"code": code, "message_zh": zh, "message_en": en}
    if details:
        body["details"] = details
    return body


def install(app: FastAPI) -> None:
    @app.exception_handler(JiesuError)
    async def _domain(request: Request, exc: JiesuError):
        return JSONResponse(exc.as_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        problems = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p != "body"),
                "problem": err["msg"],
            }
            for err in exc.errors()
        ]
        body = error_body(
            "input.invalid",
            "提交的内容有误：" + "；".join(f"{p['field']} {p['problem']}" for p in problems),
            "Invalid input: " + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
            problems=problems,
        )
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code, zh, en = _HTTP_CODES.get(
            exc.status_code, (f"http.{exc.status_code}", str(exc.detail), str(exc.detail))
        )
        return JSONResponse(error_body(code, zh, en), status_code=exc.status_code)
