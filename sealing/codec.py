"""The payload codec. A payload is sealed with the data key of the contact whose lead workflow
it belongs to (known from the serialization context's workflow id), or the shared key for
payloads of no contact. Each sealed payload names its scope, so decoding needs no context, and
payloads written before sealing was turned on (the recorded histories too) pass through."""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from sealing.keyring import NONCE, Keyring

SEALED = b"binary/inkflow-sealed"
SCOPE = "inkflow-scope"
SHARED = "_shared"
LEAD_PREFIX = "lead-"  # api.contacts.workflow_id: one lead workflow per contact key


def scope_of(workflow_id: str | None) -> str:
    if workflow_id and workflow_id.startswith(LEAD_PREFIX):
        return workflow_id.removeprefix(LEAD_PREFIX)[:64]
    return SHARED


class SealingCodec(PayloadCodec, WithSerializationContext):
    def __init__(self, keyring: Keyring, scope: str = SHARED, *, fresh: bool = False) -> None:
        self.keyring = keyring
        self.scope = scope
        self.fresh = fresh  # read keys from PostgreSQL every time, not this process's cache

    def with_context(self, context: SerializationContext) -> SealingCodec:
        scope = scope_of(getattr(context, "workflow_id", None))
        return SealingCodec(self.keyring, scope, fresh=self.fresh)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if not payloads:
            return []
        aead = AESGCM(await self.keyring.data_key(self.scope, create=True))
        scope = self.scope.encode()
        sealed = []
        for payload in payloads:
            nonce = os.urandom(NONCE)
            data = nonce + aead.encrypt(nonce, payload.SerializeToString(), scope)
            sealed.append(Payload(metadata={"encoding": SEALED, SCOPE: scope}, data=data))
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        opened = []
        for payload in payloads:
            if payload.metadata.get("encoding") != SEALED:
                opened.append(payload)  # never sealed
                continue
            scope = payload.metadata[SCOPE]
            # Erased when the key is gone: nothing can open this payload any more.
            key = await self.keyring.data_key(scope.decode(), create=False, fresh=self.fresh)
            plain = AESGCM(key).decrypt(payload.data[:NONCE], payload.data[NONCE:], scope)
            opened.append(Payload.FromString(plain))
        return opened
