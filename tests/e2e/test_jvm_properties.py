"""The JVM properties every process of ours runs with (KAFKA_OPTS), on the releases the platforms ship:
Kafka's own Java client refuses, before it opens any connection, a SASL configuration that names a login
module our listeners do not use and an OAUTHBEARER endpoint. Each claim is also run without the
properties (the mutation): it must then fail, so it is the properties that refuse, not Kafka's defaults."""
import pytest

import claims
from harness import KAFKA_4, KAFKA_VERSION
from secure_kafka.render.jvm import jvm_options

pytestmark = pytest.mark.e2e


# which property refuses what, per release: 3.9 reads the deny-list and the URL allow-list, 4.2+ the
# login-module allow-list (which leaves OAuth no module at all)
EXPECTED = {
    KAFKA_VERSION: {"PLAIN": "PlainLoginModule is not allowed (org.apache.kafka.disallowed.login.modules)",
                    "LDAP": "LdapLoginModule is not allowed (org.apache.kafka.disallowed.login.modules)",
                    "OAUTHBEARER": "http://127.0.0.1:1/token is not allowed (org.apache.kafka.sasl.oauthbearer.allowed.urls)"},
    KAFKA_4: {"PLAIN": "PlainLoginModule is not allowed (org.apache.kafka.allowed.login.modules)",
              "LDAP": "LdapLoginModule is not allowed (org.apache.kafka.allowed.login.modules)",
              "OAUTHBEARER": "OAuthBearerLoginModule is not allowed (org.apache.kafka.allowed.login.modules)"},
}


@pytest.mark.parametrize("version", [KAFKA_VERSION, KAFKA_4])
def test_foreign_login_modules_and_oauth_endpoints_are_refused(version, tmp_path):
    refused = claims.sasl_outside_our_modules_is_refused(version, jvm_options(version), tmp_path / "with")
    assert sorted(refused) == sorted(EXPECTED[version])
    for name, said in EXPECTED[version].items():
        assert refused[name].endswith(said), (name, refused[name])


@pytest.mark.parametrize("version", [KAFKA_VERSION, KAFKA_4])
def test_without_the_properties_the_claim_fails(version, tmp_path):
    with pytest.raises(AssertionError, match="PLAIN was not refused"):
        claims.sasl_outside_our_modules_is_refused(version, (), tmp_path / "without")
