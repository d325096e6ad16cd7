"""The broker properties of an opt-in OAUTHBEARER login on the SASL_SSL listener (`model.oauth`).

Written on the listener, next to SCRAM: the signature-checking server callback handler named explicitly
(Kafka's OAUTHBEARER default takes unsigned tokens), the JWKS endpoint, the issuer and audience a token
must carry, and on 4.1+ the JWT validator class. The JVM allow-list of OAuth URLs is `render.jvm`'s.
"""
from __future__ import annotations

from typing import Optional

from kafka_guardrails.versions import parse

from ..model.oauth import LOGIN_MODULE, VALIDATING_HANDLER, VALIDATOR_CLASS_SINCE, OAuthArgs
from .properties import Value

MECHANISM = "OAUTHBEARER"
PREFIX = "listener.name.sasl_ssl.oauthbearer."


# A listener's login module also logs the broker itself in at start (as if it were a client of that
# listener), with Kafka's default token maker, which needs a subject or the broker does not start (found
# on 4.4.0). The brokers talk SSL to each other, so this token is never presented anywhere.
BROKER_SELF_LOGIN = 'unsecuredLoginStringClaim_sub="broker-self-login-unused"'


def _jaas(ca_file: Optional[str]) -> str:
    # the JWKS fetch takes its TLS settings from the login module's options (Kafka's JaasOptionsUtils)
    options = f' ssl.truststore.type="PEM" ssl.truststore.location="{ca_file}"' if ca_file else ""
    return f"{LOGIN_MODULE} required {BROKER_SELF_LOGIN}{options};"


def oauth_listener(oauth: OAuthArgs, kafka_version: str, ca_file: Optional[str] = None) -> dict[str, Value]:
    """Properties added to a broker whose SASL_SSL listener also takes OAUTHBEARER; `ca_file` is where
    the node keeps `oauth.jwks_ca_pem` (None: the JVM's trust store)."""
    props: dict[str, Value] = {
        f"{PREFIX}sasl.jaas.config": _jaas(ca_file),
        f"{PREFIX}sasl.server.callback.handler.class": VALIDATING_HANDLER,
        "sasl.oauthbearer.jwks.endpoint.url": oauth.jwks_endpoint_url,
        "sasl.oauthbearer.expected.issuer": oauth.expected_issuer,
        "sasl.oauthbearer.expected.audience": ",".join(oauth.expected_audience),
        "sasl.oauthbearer.sub.claim.name": oauth.principal_claim,
    }
    if (parse(kafka_version) or (0,)) >= VALIDATOR_CLASS_SINCE:
        props["sasl.oauthbearer.jwt.validator.class"] = oauth.jwt_validator
    return props


def with_oauth(props: dict[str, Value], oauth: Optional[OAuthArgs], kafka_version: str,
               ca_file: Optional[str] = None) -> dict[str, Value]:
    """A broker's properties with OAuth added to its SASL_SSL listener (unchanged when `oauth` is None)."""
    if oauth is None:
        return props
    if "sasl.enabled.mechanisms" not in props:
        raise ValueError("OAuth needs the SASL_SSL listener")
    mechanisms = f"{props['sasl.enabled.mechanisms']},{MECHANISM}"
    return {**props, "sasl.enabled.mechanisms": mechanisms, **oauth_listener(oauth, kafka_version, ca_file)}
