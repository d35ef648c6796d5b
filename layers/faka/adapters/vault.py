"""Envelope encryption of card keys under a KMS key, and their keyed fingerprints.

One data key per container (KMS GenerateDataKey) encrypts codes with AES-GCM; KMS only ever sees
data keys, so importing 10,000 codes costs one KMS call, not 10,000. The product reference is the
GCM associated data, so a ciphertext copied onto another product does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from typing import TYPE_CHECKING, Any

from faka.catalog.codes import identity_of
from faka.ports import KeyVault

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_FORMAT = "v1"
_ENCRYPTION_CONTEXT = {"purpose": "faka-card-keys"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


class KmsKeyVault(KeyVault):
    def __init__(self, kms_client: Any, key_id: str, pepper: bytes) -> None:
        self._kms = kms_client
        self._key_id = key_id
        self._pepper = pepper
        self._lock = threading.Lock()
        self._data_key: tuple[bytes, AESGCM] | None = None
        self._opened_keys: dict[bytes, AESGCM] = {}

    def _current_data_key(self) -> tuple[bytes, AESGCM]:
        # Imported where a data key is made: only the functions that open or seal ship cryptography (in its own layer);
        # the others build a vault only for its keyed fingerprints.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        with self._lock:
            if self._data_key is None:
                response = self._kms.generate_data_key(
                    KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=_ENCRYPTION_CONTEXT
                )
                self._data_key = (response["CiphertextBlob"], AESGCM(response["Plaintext"]))
            return self._data_key

    def _data_key_for(self, encrypted_key: bytes) -> AESGCM:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        with self._lock:
            cipher = self._opened_keys.get(encrypted_key)
        if cipher is None:
            response = self._kms.decrypt(CiphertextBlob=encrypted_key, EncryptionContext=_ENCRYPTION_CONTEXT)
            cipher = AESGCM(response["Plaintext"])
            with self._lock:
                self._opened_keys[encrypted_key] = cipher
        return cipher

    def seal(self, code: str, *, context: str) -> str:
        encrypted_key, cipher = self._current_data_key()
        nonce = os.urandom(12)
        sealed = cipher.encrypt(nonce, code.encode(), context.encode())
        return f"{_FORMAT}.{_b64(encrypted_key)}.{_b64(nonce + sealed)}"

    def open(self, sealed: str, *, context: str) -> str:
        version, encrypted_key, payload = sealed.split(".")
        if version != _FORMAT:
            raise ValueError(f"unknown sealed-code format {version!r}")
        raw = base64.urlsafe_b64decode(payload)
        cipher = self._data_key_for(base64.urlsafe_b64decode(encrypted_key))
        return cipher.decrypt(raw[:12], raw[12:], context.encode()).decode()

    def fingerprint(self, code: str, *, context: str) -> str:
        message = f"{context}\x00{identity_of(code)}".encode()
        return hmac.new(self._pepper, message, hashlib.sha256).hexdigest()
