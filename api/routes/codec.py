"""Temporal's remote codec protocol, so the Temporal UI (and `temporal` CLI) can show sealed
payloads to ops: `POST /codec/decode` and `/codec/encode` with `{"payloads": [...]}` in
protobuf JSON. Behind the admin key (`X-Admin-API-Key`, or `Authorization: Bearer <key>`, which
is what the UI can send); the browser calls it from the UI's origin, so that origin (only) may.
A payload whose contact was erased comes back still sealed: nothing can open it any more."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from api.deps import Edge, rate_limited
from sealing import Erased, SealingCodec

router = APIRouter(
    prefix="/codec", tags=["operations"], dependencies=[Depends(rate_limited("admin"))]
)


def ui_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def cors(request: Request, state: Edge, response: Response) -> Response:
    origin = request.headers.get("origin")
    if origin and origin == ui_origin(state.settings.TEMPORAL_UI_URL):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Headers"] = (
            "Content-Type, Authorization, X-Namespace, X-Admin-API-Key"
        )
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Vary"] = "Origin"
    return response


def authorised(state: Edge, admin_key: str | None, authorization: str | None) -> None:
    expected = state.settings.ADMIN_API_KEY
    given = admin_key or (authorization or "").removeprefix("Bearer ").strip()
    if not (expected and given and hmac.compare_digest(given, expected)):
        raise HTTPException(401, "The codec needs the admin API key")


@router.options("/{operation}", include_in_schema=False)
async def preflight(operation: str, request: Request, state: Edge) -> Response:
    return cors(request, state, Response(status_code=204))


@router.post("/{operation}")
async def transcode(
    operation: str,
    request: Request,
    state: Edge,
    x_admin_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    if operation not in ("decode", "encode"):
        raise HTTPException(404, "codec operations are decode and encode")
    authorised(state, x_admin_api_key, authorization)
    if state.keys is None:
        raise HTTPException(404, "payload sealing is off (PAYLOAD_MASTER_KEYS)")
    try:
        given = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError as error:
        raise HTTPException(400, 'expected {"payloads": [...]} in protobuf JSON') from error
    codec = SealingCodec(state.keys, fresh=True)  # an erasure by the worker shows at once
    if operation == "encode":
        # The UI encodes what an operator types (a signal's input); it belongs to no contact.
        result = await codec.encode(list(given.payloads))
    else:
        result = [await open_one(codec, payload) for payload in given.payloads]
    body = json_format.MessageToJson(Payloads(payloads=result))
    return cors(request, state, Response(body, media_type="application/json"))


async def open_one(codec: SealingCodec, payload: Payload) -> Payload:
    try:
        return (await codec.decode([payload]))[0]
    except Erased:
        return payload
