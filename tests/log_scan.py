"""The log scan: every log record of the test session (the API and the worker run in-process
here, so their logs are these records) and everything the tests' processes wrote to stdout and
stderr is searched for phone numbers and the suite's secrets. Wired in by conftest's hooks; a
leak fails the session at its end, naming the test during which it was written."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from settings import Settings

# Every number the suite gives a client or the artist is a UK mobile (mostly Ofcom's drama range
# 07700 900xxx), however it is written: 447700900123, +44 7700 900123, +44-7700-900-123.
PHONE = re.compile(r"(?<![\dA-Za-z])\+?44[\s-]?7\d{3}[\s-]?\d{3}[\s-]?\d{3}(?!\d)")


@dataclass
class LeakScan:
    secrets: tuple[str, ...]
    leaks: list[str] = field(default_factory=list)
    current: str = "session start"  # the test being run, to say where a leak happened

    def scan(self, text: str, source: str) -> None:
        for line in text.splitlines():
            found = PHONE.search(line)
            secret = next((s for s in self.secrets if s in line), None)
            if found or secret:
                what = f"phone number {found.group()}" if found else "a secret"
                self.leaks.append(f"{self.current} [{source}] {what}: {line[:300]}")


class ScanHandler(logging.Handler):
    """Formats each record as a log file would (message and traceback) and scans it."""

    def __init__(self, scan: LeakScan) -> None:
        super().__init__(logging.DEBUG)
        self.scan = scan
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted is never written either
            return
        self.scan.scan(text, f"log {record.name}")


def suite_secrets(*configured: str) -> tuple[str, ...]:
    default = Settings.model_fields["CONTACT_KEY_SECRET"].default
    return tuple(s for s in (*configured, default) if s)
