"""Client data sealed in Temporal: every workflow payload is encrypted (AES-GCM) with its
contact's own random data key, kept in PostgreSQL only wrapped by a master key. The worker, the
API and the CLI all connect through the codec; the Temporal UI decodes through `/codec`."""

from sealing.codec import SEALED, SealingCodec, scope_of
from sealing.keyring import Erased, Keyring, MasterKeys

__all__ = ["SEALED", "Erased", "Keyring", "MasterKeys", "SealingCodec", "scope_of"]
