"""Encryption of personal data at rest (security.md "Data").

SM4-GCM through the ``cryptography`` package, behind one ``CryptoProvider``
interface so that a certified cryptographic device can replace it (GB/T 39786).
Lookups on encrypted values go through a keyed blind index (HMAC-SM3), never
through decryption of whole tables.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.utils.module_loading import import_string

_VERSION = b"s4g1"  # format tag: SM4-GCM, 96-bit nonce, 128-bit tag


def digest_name() -> str:
    """SM3 where the platform's OpenSSL offers it, else SHA-256."""
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def new_digest(data: bytes = b"") -> hashlib._Hash:
    return hashlib.new(digest_name(), data)


class CryptoProvider(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, token: str) -> str: ...
    def blind_index(self, value: str) -> str: ...


class SoftwareSM4Provider:
    """SM4-GCM in software. Tokens are ``base64(tag || nonce || ciphertext+tag)``."""

    def __init__(self, data_key: str, index_key: str):
        key = (
            bytes.fromhex(data_key)
            if _is_hex(data_key, 32)
            else new_digest(data_key.encode()).digest()[:16]
        )
        self._key = key
        self._index_key = index_key.encode()

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(_VERSION)
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return base64.b64encode(_VERSION + nonce + body + encryptor.tag).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token)
        if raw[:4] != _VERSION:
            raise ValueError("unknown ciphertext format")
        nonce, body, tag = raw[4:16], raw[16:-16], raw[-16:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(_VERSION)
        return (decryptor.update(body) + decryptor.finalize()).decode()

    def blind_index(self, value: str) -> str:
        return hmac.new(self._index_key, value.encode(), digest_name()).hexdigest()


def _is_hex(text: str, length: int) -> bool:
    try:
        return len(text) == length and bytes.fromhex(text) is not None
    except ValueError:
        return False


@lru_cache(maxsize=1)
def provider() -> CryptoProvider:
    path = getattr(settings, "TONGBAN_CRYPTO_PROVIDER", "tongban.core.crypto.SoftwareSM4Provider")
    # A class taking the two keys (a certified device's adapter, or ours).
    cls: Callable[[str, str], CryptoProvider] = import_string(path)
    return cls(settings.TONGBAN_DATA_KEY, settings.TONGBAN_INDEX_KEY)


# --- masking for public output (PIPL) ------------------------------------------------


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_mobile(mobile: str) -> str:
    """13812341234 → 138****1234."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


def mask_id_number(number: str) -> str:
    """620502199001011234 → 6205**********1234."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
