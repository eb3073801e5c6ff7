"""Minimal DER / TLS encoding helpers (only what the instance needs)."""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives import serialization


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der_octet_string(data: bytes) -> bytes:
    return b"\x04" + der_length(len(data)) + data


def der_utf8_string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"\x0c" + der_length(len(raw)) + raw


def u16_prefixed(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def u24_prefixed(data: bytes) -> bytes:
    if len(data) >= 1 << 24:
        raise ValueError("too long for a u24 length prefix")
    return struct.pack("!I", len(data))[1:] + data


def spki_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_pem(public_key) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
