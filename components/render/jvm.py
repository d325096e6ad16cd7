"""JVM system properties every Kafka process of ours runs with (brokers, controllers, ZooKeeper
nodes, the Java tools the roll gate and the migration call): which JAAS login modules a SASL
configuration may name, and which OAUTHBEARER token/JWKS endpoints it may reach.

We use SCRAM (SASL_SSL) and mutual TLS, never OAuth or PLAIN: so no endpoint is allowed, and only
the SCRAM login module is. Kafka 4.2 took an allow-list (`org.apache.kafka.allowed.login.modules`,
KIP-1135); 3.9 has only the deny-list (JNDI and LDAP by default in 3.9.2), to which we add PLAIN.
Kafka 3.9 allows every OAUTHBEARER URL unless told otherwise (4.0 allows none by default); we say
none on both. Proven with Kafka's own clients on 3.9.2 and 4.4.0 (tests/e2e/test_jvm_properties.py).
A cluster that turns OAuth on (`model.oauth`) allows exactly its listed URLs, and on 4.2+ the OAuth
login module beside SCRAM's.
"""
from __future__ import annotations

from typing import Optional

from kafka_guardrails.versions import parse

from ..model.oauth import LOGIN_MODULE as OAUTH_LOGIN_MODULE
from ..model.oauth import OAuthArgs

SCRAM_LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
DENIED_LOGIN_MODULES = ("com.sun.security.auth.module.JndiLoginModule", "com.sun.security.auth.module.LdapLoginModule",
                        PLAIN_LOGIN_MODULE)
ALLOWED_MODULES_PROPERTY = "org.apache.kafka.allowed.login.modules"
DENIED_MODULES_PROPERTY = "org.apache.kafka.disallowed.login.modules"
OAUTH_URLS_PROPERTY = "org.apache.kafka.sasl.oauthbearer.allowed.urls"


def security_properties(kafka_version: str, login_modules: tuple[str, ...] = (SCRAM_LOGIN_MODULE,),
                        oauth: Optional[OAuthArgs] = None) -> dict[str, str]:
    """The properties for a Kafka release, in a fixed order."""
    props = {OAUTH_URLS_PROPERTY: ",".join(oauth.allowed_urls) if oauth else ""}
    if (parse(kafka_version) or (0,)) >= (4, 2):
        props[ALLOWED_MODULES_PROPERTY] = ",".join(login_modules + ((OAUTH_LOGIN_MODULE,) if oauth else ()))
    else:
        props[DENIED_MODULES_PROPERTY] = ",".join(DENIED_LOGIN_MODULES)
    return props


def _flags(props: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"-D{key}={value}" for key, value in props.items())


def jvm_options(kafka_version: str, oauth: Optional[OAuthArgs] = None) -> tuple[str, ...]:
    """`-Dkey=value` flags (KAFKA_OPTS); an empty value is an explicit empty list, not a default."""
    return _flags(security_properties(kafka_version, oauth=oauth))


def tool_options() -> tuple[str, ...]:
    """For Kafka's tools in an installation whose release we do not know (the roll gate's and the
    migration's `--kafka-home`): both lists — each release reads the one it knows."""
    return _flags({**security_properties("3.9"), **security_properties("4.2")})


def with_tool_options(environ: dict[str, str]) -> dict[str, str]:
    """A copy of `environ` whose KAFKA_OPTS also carries `tool_options()`."""
    existing = environ.get("KAFKA_OPTS", "").strip()
    return {**environ, "KAFKA_OPTS": " ".join(filter(None, (existing, *tool_options())))}
