"""STATUS (0x89): a page of actuator or rule states, each section with its own entry layout."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .. import contract
from ..contract import (
    MAX_PAYLOAD,
    ActuatorStateBit,
    HelloFlag,
    MsgType,
    RuleState,
    SkipReason,
    StatusSection,
)
from ._base import EncodeError, Message, limit, need, pack, u8_table

_STATUS = struct.Struct(contract.STATUS.struct_format())
_ACTUATOR_ENTRY = struct.Struct(contract.STATUS_ACTUATOR.struct_format())
_RULE_ENTRY = struct.Struct(contract.STATUS_RULE.struct_format())


@dataclass(frozen=True, slots=True)
class ActuatorEntry:
    """One actuator in STATUS section 0. ``owner``: a rule index, 0xFE a lease, 0xFF none."""

    state: int
    level: int
    owner: int
    ms_left: int
    today_on_ms: int


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One rule in STATUS section 1. ``since_fired_ms`` is 0xFFFFFFFF if it never fired."""

    state: int
    last_skip: int
    since_fired_ms: int


_ENTRY = {
    StatusSection.ACTUATORS: (_ACTUATOR_ENTRY, ActuatorEntry),
    StatusSection.RULES: (_RULE_ENTRY, RuleEntry),
}


@dataclass(frozen=True, slots=True)
class Status(Message):
    """A page of actuator or rule states. Entries of a section this version does not know are skipped."""

    TYPE = MsgType.STATUS
    time_ms: int
    flags: int
    section: int
    first: int
    total: int
    entries: tuple[ActuatorEntry, ...] | tuple[RuleEntry, ...] = field(default=())

    def pack(self) -> bytes:
        head = pack(
            self.TYPE, _STATUS, self.time_ms, self.flags, self.section, self.first, self.total
        )
        body = b""
        if self.entries:
            if self.section not in _ENTRY:
                raise EncodeError(f"STATUS: entries given for unknown section {self.section}")
            layout, entry_cls = _ENTRY[self.section]
            if any(type(entry) is not entry_cls for entry in self.entries):
                raise EncodeError(
                    f"STATUS: section {self.section} takes {entry_cls.__name__} entries"
                )
            body = b"".join(
                pack(self.TYPE, layout, *(getattr(entry, n) for n in entry.__slots__))
                for entry in self.entries
            )
        limit(self.TYPE, "payload bytes", len(head) + len(body), 0, MAX_PAYLOAD)
        return head + body

    @classmethod
    def unpack(cls, payload: bytes) -> Status:
        need(cls.TYPE, payload, _STATUS.size)
        time_ms, flags, section, first, total = _STATUS.unpack_from(payload)
        section = u8_table(StatusSection)[section]
        entries: tuple = ()
        if section == StatusSection.ACTUATORS:
            entries = tuple(
                ActuatorEntry(ActuatorStateBit(s), lv, own, left, today)
                for s, lv, own, left, today in _ACTUATOR_ENTRY.iter_unpack(
                    _whole(payload, _ACTUATOR_ENTRY)
                )
            )
        elif section == StatusSection.RULES:
            entries = tuple(
                RuleEntry(u8_table(RuleState)[s], u8_table(SkipReason)[skip], since)
                for s, skip, since in _RULE_ENTRY.iter_unpack(_whole(payload, _RULE_ENTRY))
            )
        return cls(time_ms, HelloFlag(flags), section, first, total, entries)


def _whole(payload: bytes, entry: struct.Struct) -> bytes:
    """The entry bytes after STATUS's header, cut to whole entries."""
    body = bytes(payload[_STATUS.size :])
    return body[: len(body) - len(body) % entry.size]
