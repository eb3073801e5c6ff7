"""TrustedRoot, SigningConfig and ClientTrustConfig documents."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from cryptography.hazmat.primitives import serialization

from .ca import CertificateAuthority
from .ctlog import CTLog
from .rekor import RekorLog

TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
# sigstore 4.x only accepts v0.2 signing configs.
SIGNING_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
CLIENT_TRUST_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
OPERATOR = "private-sigstore.test"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _log_instance(
    base_url: str, public_key_der: bytes, log_id: bytes, start: dt.datetime
) -> dict[str, Any]:
    return {
        "baseUrl": base_url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": _b64(public_key_der),
            "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            "validFor": {"start": _time(start)},
        },
        "logId": {"keyId": _b64(log_id)},
    }


def trusted_root(
    ca: CertificateAuthority,
    rekor: RekorLog,
    ct_log: CTLog,
    *,
    fulcio_url: str,
    rekor_url: str,
    ct_url: str,
) -> dict[str, Any]:
    start = ca.valid_from
    return {
        "mediaType": TRUSTED_ROOT_MEDIA_TYPE,
        "tlogs": [_log_instance(rekor_url, rekor.public_key_der, rekor.log_id, start)],
        "certificateAuthorities": [
            {
                "subject": {
                    "organization": "private-sigstore.test",
                    "commonName": "private-sigstore intermediate",
                },
                "uri": fulcio_url,
                # Leaf issuer first, root last (same order as the public root).
                "certChain": {
                    "certificates": [
                        {"rawBytes": _b64(c.public_bytes(serialization.Encoding.DER))}
                        for c in ca.chain
                    ]
                },
                "validFor": {"start": _time(start)},
            }
        ],
        "ctlogs": [_log_instance(ct_url, ct_log.public_key_der, ct_log.log_id, start)],
        "timestampAuthorities": [],
    }


def _service(url: str, start: dt.datetime) -> dict[str, Any]:
    return {
        "url": url,
        "majorApiVersion": 1,
        "validFor": {"start": _time(start)},
        "operator": OPERATOR,
    }


def signing_config(
    *, fulcio_url: str, rekor_url: str, oidc_url: str, start: dt.datetime
) -> dict[str, Any]:
    """Fulcio v1 + Rekor v1 only; no TSA (Rekor v1's SET supplies the time)."""
    return {
        "mediaType": SIGNING_CONFIG_MEDIA_TYPE,
        "caUrls": [_service(fulcio_url, start)],
        "oidcUrls": [_service(oidc_url, start)],
        "rekorTlogUrls": [_service(rekor_url, start)],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaUrls": [],
        "tsaConfig": {"selector": "ANY"},
    }


def client_trust_config(root: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    return {
        "mediaType": CLIENT_TRUST_CONFIG_MEDIA_TYPE,
        "trustedRoot": root,
        "signingConfig": config,
    }
