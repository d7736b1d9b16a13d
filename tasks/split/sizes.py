"""How large a part of a split document must be, and sizes in words: what the web tier's cheap look needs."""

from __future__ import annotations

#: The least HTML a part must hold to be worth a task of its own.
MIN_PART_BYTES = 64_000


def html_size(size: int) -> str:
    """`size` bytes in words a reason can quote: "312 bytes", "87 KB"."""
    return f"{size} bytes" if size < 1024 else f"{size // 1024} KB"
