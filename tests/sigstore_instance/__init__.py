"""A private, offline Sigstore instance for tests.

Fulcio-like CA with embedded SCTs, a Rekor-v1-like log with a real RFC 6962
tree, an OIDC token minter, and the trust documents sigstore-python and
model_signing load. All services listen on 127.0.0.1 only.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from . import trust
from .ca import CertificateAuthority
from .ctlog import CTLog
from .oauth import OAuthIssuer
from .oidc import OIDCProvider
from .rekor import LogEntry, RekorLog
from .server import LoopbackServer, fulcio_app, oidc_app, rekor_app

__all__ = ["PrivateSigstore", "start_private_sigstore"]


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class PrivateSigstore:
    """Running instance; build it with `start_private_sigstore`."""

    def __init__(self, workdir: pathlib.Path) -> None:
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)

        self.ct_log = CTLog()
        self.ca = CertificateAuthority(self.ct_log)
        self.rekor = RekorLog()
        self.oidc = OIDCProvider()
        self.oauth = OAuthIssuer(self.oidc)

        self._servers: list[LoopbackServer] = []
        try:
            self.fulcio_server = self._serve(fulcio_app(self.ca, self.oidc), "fulcio")
            self.rekor_server = self._serve(rekor_app(self.rekor), "rekor")
            self.oidc_server = self._serve(oidc_app(self.oidc, self.oauth), "oidc")
            self.oidc.url = self.oidc_server.url
            self._write_trust_documents()
        except BaseException:
            self.close()
            raise

    def _serve(self, app, name: str) -> LoopbackServer:
        server = LoopbackServer(app, name)
        self._servers.append(server)
        return server

    def _write_trust_documents(self) -> None:
        self.trusted_root_json = trust.trusted_root(
            self.ca,
            self.rekor,
            self.ct_log,
            fulcio_url=self.fulcio_url,
            rekor_url=self.rekor_url,
            ct_url=f"{self.fulcio_url}/ctlog",
        )
        self.signing_config_json = trust.signing_config(
            fulcio_url=self.fulcio_url,
            rekor_url=self.rekor_url,
            oidc_url=self.oidc_url,
            start=self.ca.valid_from,
        )
        self.trust_config_json = trust.client_trust_config(
            self.trusted_root_json, self.signing_config_json
        )
        self.trusted_root_path = self.workdir / "trusted_root.json"
        self.signing_config_path = self.workdir / "signing_config.json"
        self.trust_config_path = self.workdir / "trust_config.json"
        for path, doc in (
            (self.trusted_root_path, self.trusted_root_json),
            (self.signing_config_path, self.signing_config_json),
            (self.trust_config_path, self.trust_config_json),
        ):
            path.write_text(json.dumps(doc, indent=2), encoding="utf-8")

    # -- endpoints ---------------------------------------------------------
    @property
    def fulcio_url(self) -> str:
        return self.fulcio_server.url

    @property
    def rekor_url(self) -> str:
        return self.rekor_server.url

    @property
    def oidc_url(self) -> str:
        """Also the default issuer for tokens that do not name one."""
        return self.oidc_server.url

    # -- key material ------------------------------------------------------
    @property
    def ca_root_pem(self) -> str:
        return _pem(self.ca.root_cert)

    @property
    def ca_intermediate_pem(self) -> str:
        return _pem(self.ca.intermediate_cert)

    @property
    def ca_chain_pem(self) -> list[str]:
        """[intermediate, root]: the chain above every leaf."""
        return self.ca.chain_pem()

    @property
    def rekor_public_key_pem(self) -> str:
        return self.rekor.public_key_pem

    @property
    def ct_log_public_key_pem(self) -> str:
        return self.ct_log.public_key_pem

    # -- operations --------------------------------------------------------
    def identity_token(self, identity: str, issuer: str | None = None, **kwargs) -> str:
        """Raw JWT for `identity` from `issuer` that the private Fulcio accepts.

        kwargs go to `OIDCProvider.mint` (subject, email_verified, audience,
        lifetime, issued_at, extra_claims, signing_key).
        """
        return self.oidc.mint(identity, issuer or self.oidc_url, **kwargs)

    def issue_leaf_certificate(
        self,
        public_key,
        identity: str | x509.GeneralName,
        issuer: str,
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        **kwargs,
    ) -> x509.Certificate:
        """Fulcio-profile leaf for `public_key` without HTTP.

        kwargs go to `CertificateAuthority.issue_leaf` (ekus, digital_signature,
        embed_sct, sct_timestamp_ms, sct_signing_key, signing_key, issuer_cert).
        """
        return self.ca.issue_leaf(
            public_key, identity, issuer, not_before=not_before, not_after=not_after, **kwargs
        )

    @property
    def log_entries(self) -> list[LogEntry]:
        """Snapshot of every Rekor entry, in log order."""
        return list(self.rekor.entries)

    def close(self) -> None:
        while self._servers:
            self._servers.pop().close()

    def __enter__(self) -> PrivateSigstore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def start_private_sigstore(workdir: pathlib.Path) -> PrivateSigstore:
    """Generate keys, start the loopback services, write the trust files."""
    return PrivateSigstore(workdir)
