"""The codec and its keys against the real database: a payload round-trips sealed, a tampered
one is refused, one from before sealing passes through, each contact has its own key, rotation
re-wraps every key under the new master key, and production refuses to start without one."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    WorkflowSerializationContext,
)

from models import PayloadKey
from sealing import SEALED, Erased, Keyring, MasterKeys, SealingCodec, scope_of
from settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="session")


def plain(text: str) -> Payload:
    return DataConverter.default.payload_converter.to_payloads([text])[0]


def keyring(sessions, setting: str | None = None) -> Keyring:
    return Keyring(MasterKeys.parse(setting or f"k1:{MasterKeys.new_key()}"), sessions)


def codec_for(keys: Keyring, contact: str) -> SealingCodec:
    context = WorkflowSerializationContext(namespace="default", workflow_id=f"lead-{contact}")
    return SealingCodec(keys).with_context(context)


async def test_a_payload_round_trips_sealed_under_its_contacts_key(sessions) -> None:
    keys, contact = keyring(sessions), uuid.uuid4().hex
    [sealed] = await codec_for(keys, contact).encode([plain("my Instagram is @ink_lover")])
    assert sealed.metadata["encoding"] == SEALED and b"ink_lover" not in sealed.data
    assert sealed.metadata["inkflow-scope"] == contact.encode()
    # Any codec opens it (the scope travels with the payload), even without context.
    [opened] = await SealingCodec(keys).decode([sealed])
    assert opened == plain("my Instagram is @ink_lover")
    # Two contacts never share a key.
    other = uuid.uuid4().hex
    assert await keys.data_key(contact, create=False) != await keys.data_key(other, create=True)


async def test_activity_payloads_take_the_workflows_contact(sessions) -> None:
    keys, contact = keyring(sessions), uuid.uuid4().hex
    context = ActivitySerializationContext(
        namespace="default", activity_id="1", activity_type="deliver_turn",
        activity_task_queue="q", workflow_id=f"lead-{contact}", workflow_type="LeadWorkflow",
        is_local=True,
    )  # fmt: skip
    [sealed] = await SealingCodec(keys).with_context(context).encode([plain("hello")])
    assert sealed.metadata["inkflow-scope"] == contact.encode()
    assert scope_of("artist-digest") == scope_of(None) == "_shared"


async def test_payloads_from_before_sealing_pass_through(sessions) -> None:
    old = plain("recorded before sealing was on")
    assert await SealingCodec(keyring(sessions)).decode([old]) == [old]


async def test_a_tampered_payload_is_refused(sessions) -> None:
    keys, contact = keyring(sessions), uuid.uuid4().hex
    [sealed] = await codec_for(keys, contact).encode([plain("budget 800")])
    forged = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + b"\x00")
    with pytest.raises(InvalidTag):
        await SealingCodec(keys).decode([forged])
    # Nor can a payload be moved to another contact's scope.
    other = uuid.uuid4().hex
    moved = Payload(metadata={**sealed.metadata, "inkflow-scope": other.encode()}, data=sealed.data)
    await keys.data_key(other, create=True)
    with pytest.raises(InvalidTag):
        await SealingCodec(keys).decode([moved])


async def test_an_erased_key_is_gone_for_good(sessions) -> None:
    keys, contact = keyring(sessions), uuid.uuid4().hex
    [sealed] = await codec_for(keys, contact).encode([plain("koi")])
    assert await keys.erase(contact) is True
    with pytest.raises(Erased):
        await SealingCodec(keys).decode([sealed])
    # Another process's keyring cannot re-derive it either: the data key was random.
    with pytest.raises(Erased):
        await SealingCodec(keyring(sessions, ",".join(
            f"{k}:{MasterKeys.new_key()}" for k in ("k1",)
        ))).decode([sealed])  # fmt: skip


async def test_rotation_rewraps_every_key_under_the_new_master_key(sessions) -> None:
    old = f"old{uuid.uuid4().hex[:6]}:{MasterKeys.new_key()}"
    before, contact = keyring(sessions, old), uuid.uuid4().hex
    [sealed] = await codec_for(before, contact).encode([plain("placement: forearm")])
    new_id = f"new{uuid.uuid4().hex[:6]}"
    rotated = keyring(sessions, f"{new_id}:{MasterKeys.new_key()},{old}")
    assert await rotated.rewrap() >= 1
    async with sessions() as session:
        assert (await session.get(PayloadKey, contact)).master_key_id == new_id
    # The old master key can now be dropped from the setting.
    only_new = Keyring(MasterKeys({new_id: rotated.masters.keys[new_id]}, new_id), sessions)
    assert await SealingCodec(only_new).decode([sealed]) == [plain("placement: forearm")]


def test_master_keys_are_checked_and_required_in_production() -> None:
    with pytest.raises(ValueError):
        MasterKeys.parse("k1:too-short")
    with pytest.raises(ValueError):
        Settings(_env_file=None, PAYLOAD_MASTER_KEYS="nonsense")  # type: ignore[call-arg]
    problems = Settings(_env_file=None, APP_ENV="production").production_problems()  # type: ignore[call-arg]
    assert "PAYLOAD_MASTER_KEYS is not set" in problems
