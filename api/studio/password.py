"""Make the argon2 hash for a studio password setting:

    python -m api.studio.password            # asks for the password twice
    STUDIO_ARTIST_PASSWORD_HASH='$argon2id$…'  # paste the printed line into .env

The password itself is never stored or printed."""

from __future__ import annotations

import getpass
import sys

from api.studio.accounts import hash_password

MINIMUM_LENGTH = 10


def main() -> int:
    setting = sys.argv[1] if len(sys.argv) > 1 else "STUDIO_ARTIST_PASSWORD_HASH"
    password = getpass.getpass("Password: ")
    if len(password) < MINIMUM_LENGTH:
        print(f"Use at least {MINIMUM_LENGTH} characters.", file=sys.stderr)
        return 1
    if getpass.getpass("Again: ") != password:
        print("The two did not match.", file=sys.stderr)
        return 1
    # Single quotes: `$` starts a variable in .env files and docker compose otherwise.
    print(f"{setting}='{hash_password(password)}'")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
