"""Opt-in OAUTHBEARER (JWT) logins on the SASL_SSL listener, and the checks that make it safe to turn on.

We never use OAuth by default: every process runs with an empty OAUTHBEARER URL allow-list. A user who
turns it on must say, all at once, where the keys come from (an https JWKS endpoint), which URLs the
brokers may fetch (the allow-list, which must hold that endpoint), which issuer and audience a token must
carry, and which validator checks the signature. Each has no default: the 2026 JWT-validation
advisories (CVE-2026-33557: 4.1.0-4.1.1 brokers accepted unsigned tokens by default) came from
defaults. Clients still present a certificate on that listener; the principal is the token's subject.
Pure: no Pulumi.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional, Sequence
from urllib.parse import urlsplit

from kafka_guardrails.versions import parse

from .errors import ConfigError
from .problems import Problems

LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
# the server callback handler that checks signatures against the JWKS (Kafka's default for OAUTHBEARER
# is the *unsecured* one, which takes `alg: none` tokens)
VALIDATING_HANDLER = "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"
BROKER_VALIDATOR = "org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator"
# validators that check no signature, or pick one by what else is configured (the CVE-2026-33557 default)
UNSAFE_VALIDATORS = {
    "org.apache.kafka.common.security.oauthbearer.ClientJwtValidator": "checks no signature (a client-side validator)",
    "org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator": "chooses by other settings (the CVE-2026-33557 default)",
    "org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler":
        "accepts unsigned tokens",
}
VALIDATOR_CLASS_SINCE = (4, 1)  # sasl.oauthbearer.jwt.validator.class (KIP-1139)
JAVA_CLASS = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")
CLAIM = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# which advisories of the version table apply to a cluster (`releases.check_release`)
DEFAULT_SCOPES = ("broker", "client")
OAUTH_SCOPES = DEFAULT_SCOPES + ("oauth",)


@dataclass(frozen=True)
class OAuthArgs:
    """Clients may also log in on the SASL_SSL listener with a signed JWT (SASL/OAUTHBEARER).

    Attributes:
        jwks_endpoint_url: the identity provider's JWKS (https); the brokers fetch the signing keys there.
        allowed_urls: every URL a broker may fetch for OAuth (`org.apache.kafka.sasl.oauthbearer.allowed.urls`);
            must hold `jwks_endpoint_url`. https only.
        expected_issuer: the `iss` every token must carry.
        expected_audience: the `aud` values a token must carry one of.
        jwt_validator: the class that checks a token: `org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator`
            (checks the signature against the JWKS), or your own on Kafka 4.1+. Never a default.
        jwks_ca_pem: the CA (PEM) that signed the JWKS endpoint's certificate, when the JVM's own
            trust store does not hold it.
        principal_claim: the claim that names the Kafka principal (`User:<value>`): `sub` by default.
    """

    jwks_endpoint_url: str
    allowed_urls: Sequence[str]
    expected_issuer: str
    expected_audience: Sequence[str]
    jwt_validator: str
    jwks_ca_pem: Optional[str] = None
    principal_claim: str = "sub"


def _https(url: object) -> bool:
    if not isinstance(url, str) or any(c.isspace() or c == "," for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username and not parts.password


def _strings(value: object) -> Optional[list[str]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        return None
    items = list(value)
    return items if items and all(isinstance(i, str) and i.strip() == i and i for i in items) else None


def validate_oauth(problems: Problems, oauth: object, kafka_version: object, listeners: object,
                   label: Callable[[str], str] = lambda n: n) -> None:
    """Each of `oauth`'s settings (`oauth.field`, as `label` names it) into `problems`; none when OAuth
    is off (None)."""
    if oauth is None:
        return
    if not isinstance(oauth, OAuthArgs):
        with problems:
            raise ConfigError(label("oauth"), oauth, "None (no OAuth), or an OAuthArgs")
        return

    def at(name: str) -> str:
        return label(f"oauth.{name}")

    with problems:
        if not isinstance(listeners, (list, tuple)) or "SASL_SSL" not in listeners:
            raise ConfigError(label("listeners"), listeners, "SASL_SSL among them: OAuth logins ride the SASL_SSL listener")
    allowed = _strings(oauth.allowed_urls)
    with problems:
        if allowed is None or not all(_https(u) for u in allowed) or len(set(allowed)) != len(allowed):
            raise ConfigError(at("allowed_urls"), oauth.allowed_urls,
                              "a non-empty list of distinct https URLs (no wildcard: Kafka compares them exactly)")
    with problems:
        if not _https(oauth.jwks_endpoint_url):
            raise ConfigError(at("jwks_endpoint_url"), oauth.jwks_endpoint_url, "an https URL of the provider's JWKS")
        if allowed is not None and oauth.jwks_endpoint_url not in allowed:
            raise ConfigError(at("jwks_endpoint_url"), oauth.jwks_endpoint_url,
                              f"one of {at('allowed_urls')} ({', '.join(allowed)}): the brokers may fetch nothing else")
    with problems:
        if not isinstance(oauth.expected_issuer, str) or not oauth.expected_issuer.strip() \
                or any(c.isspace() for c in oauth.expected_issuer):
            raise ConfigError(at("expected_issuer"), oauth.expected_issuer,
                              "the issuer (`iss`) every token must carry: a non-empty string without spaces")
    with problems:
        audience = _strings(oauth.expected_audience)
        if audience is None or any("," in a or any(c.isspace() for c in a) for a in audience):
            raise ConfigError(at("expected_audience"), oauth.expected_audience,
                              "a non-empty list of audiences (`aud`), no spaces or commas")
    with problems:
        validator = oauth.jwt_validator
        if not isinstance(validator, str) or not JAVA_CLASS.match(validator):
            raise ConfigError(at("jwt_validator"), validator, f"a Java class name: {BROKER_VALIDATOR}")
        if validator in UNSAFE_VALIDATORS:
            raise ConfigError(at("jwt_validator"), validator,
                              f"a validator that checks signatures ({BROKER_VALIDATOR}); this one "
                              + UNSAFE_VALIDATORS[validator])
        release = parse(kafka_version) if isinstance(kafka_version, str) else None
        if validator != BROKER_VALIDATOR and (release is None or release < VALIDATOR_CLASS_SINCE):
            raise ConfigError(at("jwt_validator"), validator,
                              f"{BROKER_VALIDATOR} on Kafka {kafka_version}: a validator of your own needs 4.1+")
    with problems:
        if not isinstance(oauth.principal_claim, str) or not CLAIM.match(oauth.principal_claim):
            raise ConfigError(at("principal_claim"), oauth.principal_claim, "a claim name such as sub")
    with problems:
        ca = oauth.jwks_ca_pem
        if ca is not None and (not isinstance(ca, str) or "-----BEGIN CERTIFICATE-----" not in ca):
            raise ConfigError(at("jwks_ca_pem"), "<not a PEM certificate>" if isinstance(ca, str) else ca,
                              "None (the JVM's trust store), or PEM certificate text")
