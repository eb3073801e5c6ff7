"""model_signing's own test vectors (in the shared test data) and the facts they carry."""

from __future__ import annotations

MT_KEYS = ("ca-cert.pem", "int-ca-cert.pem", "signing-key-cert.pem", "signing-key-pub.pem")
SIGSTORE_IDENTITY = "stefanb@us.ibm.com"
SIGSTORE_ISSUER = "https://sigstore.verify.ibm.com/oauth2"
# model_signing's own test data; the README says how each one verifies.
MT_VECTORS = (
    "v0.2.0-certificate",
    "v0.3.1-certificate",
    "v0.3.1-elliptic-key",
    "v0.3.1-sigstore",
    "v1.0.0-certificate",
    "v1.0.0-elliptic-key",
    "v1.0.0-sigstore",
    "v1.0.1-certificate",
    "v1.0.1-elliptic-key",
    "v1.0.1-sigstore",
    "v1.1.0-certificate",
    "v1.1.0-elliptic-key",
    "v1.1.0-sigstore",
)
SINGLE_FILE_VECTORS = ("v0.3.1-elliptic-key", "v1.0.0-elliptic-key")
