"""A minimal OAuth identity provider for the real-server tests: its own CA, a JWKS served over HTTPS
on 127.0.0.1 only, and JWTs it signs (or forges: another key, no signature, wrong claims).

Only what a broker's OAUTHBEARER validator needs from a provider: the JWKS document, fetched at broker
start and on an unknown key id. Tokens are handed to clients directly (the test is the token endpoint).
"""
from __future__ import annotations

import base64
import datetime
import http.server
import ipaddress
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _certificate(name: str, key: rsa.RSAPrivateKey, issuer: Optional[tuple[x509.Name, rsa.RSAPrivateKey]] = None,
                 ca: bool = False) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, signer = issuer or (subject, key)
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(hours=6)))
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
                                        critical=False)
    return builder.sign(signer, hashes.SHA256())


@dataclass
class IdentityProvider:
    """Call `start()`; `jwks_url`, `issuer` and `ca_pem` are what a broker is configured with."""

    workdir: Path
    issuer: str = "https://idp.secure-kafka.test/realms/e2e"
    audience: str = "kafka-e2e"
    key_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    fetches: list[str] = field(default_factory=list)  # the paths asked for, in order

    def __post_init__(self) -> None:
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ca = _certificate("secure-kafka e2e identity provider CA", self.ca_key, ca=True)
        self.server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server_cert = _certificate(HOST, self.server_key, (self.ca.subject, self.ca_key))
        self._server: Optional[http.server.ThreadingHTTPServer] = None

    @property
    def ca_pem(self) -> str:
        return self.ca.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def jwks_url(self) -> str:
        assert self._server is not None, "start() the provider first"
        return f"https://{HOST}:{self._server.server_address[1]}/jwks"

    def jwks(self) -> dict:
        numbers = self.signing_key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.key_id,
                          "n": _int(numbers.n), "e": _int(numbers.e)}]}

    def start(self) -> "IdentityProvider":
        self.workdir.mkdir(parents=True, exist_ok=True)
        chain = self.workdir / "idp-server.pem"
        chain.write_bytes(self.server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption())
                          + self.server_cert.public_bytes(serialization.Encoding.PEM))
        chain.chmod(0o600)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(chain)
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                provider.fetches.append(self.path)
                body = json.dumps(provider.jwks()).encode() if self.path == "/jwks" else b""
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def token(self, subject: str, *, issuer: Optional[str] = None, audience: Optional[str] = None,
              lifetime: float = 600, key: Optional[rsa.RSAPrivateKey] = None, algorithm: str = "RS256") -> tuple[str, float]:
        """(compact JWT, the expiry the client is told). `key` signs instead of the provider's own (a
        forgery); algorithm `none` leaves the token unsigned. The client is always told 10 minutes, so an
        expired `exp` (a negative `lifetime`) reaches the broker instead of being refused by the client."""
        now = time.time()
        claims = {"iss": issuer or self.issuer, "aud": audience or self.audience, "sub": subject,
                  "iat": int(now) - 5, "nbf": int(now) - 5, "exp": int(now + lifetime), "scope": "kafka",
                  "jti": uuid.uuid4().hex}
        header = {"alg": algorithm, "typ": "JWT", **({"kid": self.key_id} if algorithm != "none" else {})}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        if algorithm == "none":
            return f"{signing_input}.", now + 600
        signature = (key or self.signing_key).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}", now + 600
