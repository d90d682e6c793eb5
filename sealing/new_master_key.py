"""`python -m sealing.new_master_key [ID]`: print a PAYLOAD_MASTER_KEYS entry with a new random
key. To rotate, put it first in the setting (keeping the old entries), restart, run
`inkflow keys rewrap`, then drop the old entry."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sealing.keyring import MasterKeys

if __name__ == "__main__":
    key_id = sys.argv[1] if len(sys.argv) > 1 else datetime.now(UTC).strftime("k%Y%m%d")
    print(f"{key_id}:{MasterKeys.new_key()}")
