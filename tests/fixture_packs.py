"""The small packs the tests share, kept as files in tests/packs/ (read them like any pack)."""

from __future__ import annotations

from pathlib import Path

from mockint.packs import Pack, parse_pack

PACKS = Path(__file__).parent / "packs"


def pack_path(name: str) -> Path:
    """tests/packs/<name>.toml"""
    return PACKS / f"{name}.toml"


def pack_text(name: str) -> str:
    return pack_path(name).read_text(encoding="utf-8")


def fixture_pack(name: str) -> Pack:
    """The pack parsed as if it sat in `<name>.toml` beside the test."""
    return parse_pack(pack_text(name), f"{name}.toml")
