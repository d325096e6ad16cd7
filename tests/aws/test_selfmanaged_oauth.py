"""Opt-in OAuth on SelfManagedKafka: refused unless every safety setting is given, and rendered into the
brokers' boot documents (listener, JVM allow-lists, the provider's CA) exactly as the real-server tests
run it (tests/e2e: `oauth_logins`, and the two OAuth mutations)."""
from dataclasses import replace

import pytest
import yaml
from helpers import ZK_MODE, assert_refused

from secure_kafka import ClientAccess, ConfigError, OAuthArgs
from secure_kafka.aws.self_managed import OAUTH_CA_FILE, SelfManagedKafka, SelfManagedKafkaArgs, broker_user_data
from secure_kafka.model.oauth import BROKER_VALIDATOR, LOGIN_MODULE, VALIDATING_HANDLER
from secure_kafka.model.problems import ConfigErrors
from secure_kafka.render import parse_properties
from secure_kafka.render.jvm import ALLOWED_MODULES_PROPERTY, OAUTH_URLS_PROPERTY, SCRAM_LOGIN_MODULE

JWKS = "https://login.example.com/realms/orders/protocol/openid-connect/certs"
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
OAUTH = OAuthArgs(jwks_endpoint_url=JWKS, allowed_urls=[JWKS], expected_issuer="https://login.example.com/realms/orders",
                  expected_audience=["kafka-orders"], jwt_validator=BROKER_VALIDATOR, jwks_ca_pem=CA)
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
BASE = dict(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16", subnet_ids=SUBNETS,
            clients=[ClientAccess("orders", cidr="10.0.32.0/20")], listeners=["SSL", "SASL_SSL"], oauth=OAUTH)
KRAFT = SelfManagedKafkaArgs(**BASE)
ZOOKEEPER = SelfManagedKafkaArgs(**BASE, **ZK_MODE)
IPS = ["10.0.0.10", "10.0.0.11", "10.0.0.12"]


def boot(args: SelfManagedKafkaArgs) -> tuple[dict, dict[str, str], str]:
    """(server.properties, every written file, the service's KAFKA_OPTS) of broker 0."""
    from secure_kafka.render.kraft import Voter

    kraft = args.metadata_mode == "kraft"
    text = broker_user_data(args, 0, IPS, "" if kraft else "10.0.1.1:2182", "arn:aws:secretsmanager:x", "eu-west-1",
                            "/secure-kafka/orders", controllers=[Voter(1000, "10.0.2.1", 9093)] if kraft else (),
                            cluster_id="MkU3OEVBNTcwNTJENDM2Qg" if kraft else "")
    files = {f["path"]: f["content"] for f in yaml.safe_load(text)["write_files"]}
    [unit] = [c for p, c in files.items() if p.endswith(".service")]
    [opts] = [line for line in unit.splitlines() if line.startswith('Environment="KAFKA_OPTS=')]
    return parse_properties(files["/etc/kafka/server.properties"]), files, opts


@pytest.mark.parametrize("args", [KRAFT, ZOOKEEPER], ids=["kraft-4.4", "zookeeper-3.9"])
def test_the_brokers_take_signed_tokens_of_the_given_issuer_and_audience_only(args):
    server, files, opts = boot(args)
    assert server["sasl.enabled.mechanisms"] == "SCRAM-SHA-512,OAUTHBEARER"
    assert server["listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class"] == VALIDATING_HANDLER
    assert server["sasl.oauthbearer.jwks.endpoint.url"] == JWKS
    assert server["sasl.oauthbearer.expected.issuer"] == "https://login.example.com/realms/orders"
    assert server["sasl.oauthbearer.expected.audience"] == "kafka-orders"
    jaas = server["listener.name.sasl_ssl.oauthbearer.sasl.jaas.config"]
    assert jaas.startswith(LOGIN_MODULE + " required") and f'ssl.truststore.location="{OAUTH_CA_FILE}"' in jaas
    assert files[OAUTH_CA_FILE] == CA
    # the SASL listener still requires a client certificate
    assert server["listener.name.sasl_ssl.ssl.client.auth"] == "required"
    # exactly the given URL may be fetched; on 4.2+ the OAuth login module joins SCRAM's, nothing else
    assert f"-D{OAUTH_URLS_PROPERTY}={JWKS}" in opts
    if args.metadata_mode == "kraft":
        assert server["sasl.oauthbearer.jwt.validator.class"] == BROKER_VALIDATOR
        assert f"-D{ALLOWED_MODULES_PROPERTY}={SCRAM_LOGIN_MODULE},{LOGIN_MODULE}" in opts
    else:  # 3.9 has no validator class setting: the handler above is what checks signatures
        assert "sasl.oauthbearer.jwt.validator.class" not in server
        assert ALLOWED_MODULES_PROPERTY not in opts


def test_without_oauth_nothing_of_it_is_rendered_and_no_url_is_allowed():
    server, files, opts = boot(replace(KRAFT, oauth=None))
    assert server["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert not [k for k in server if "oauthbearer" in k] and OAUTH_CA_FILE not in files
    assert f"-D{OAUTH_URLS_PROPERTY}= " in opts + " " and LOGIN_MODULE not in opts


def test_without_a_ca_the_jvm_trust_store_is_used_and_no_file_is_written():
    server, files, _ = boot(replace(KRAFT, oauth=replace(OAUTH, jwks_ca_pem=None)))
    assert "ssl.truststore" not in server["listener.name.sasl_ssl.oauthbearer.sasl.jaas.config"]
    assert OAUTH_CA_FILE not in files


REFUSED = [
    ({"allowed_urls": []}, "oauth.allowed_urls", "a non-empty list of distinct https URLs"),
    ({"allowed_urls": ["http://login.example.com/certs"]}, "oauth.allowed_urls", "https URLs"),
    ({"allowed_urls": "https://login.example.com/certs"}, "oauth.allowed_urls", "a non-empty list"),
    ({"allowed_urls": [JWKS, JWKS]}, "oauth.allowed_urls", "distinct"),
    ({"allowed_urls": ["https://other.example.com/certs"]}, "oauth.jwks_endpoint_url", "the brokers may fetch nothing else"),
    ({"jwks_endpoint_url": "file:///etc/jwks.json", "allowed_urls": ["file:///etc/jwks.json"]},
     "oauth.allowed_urls", "https URLs"),
    ({"jwks_endpoint_url": "https://user:pw@login.example.com/certs"}, "oauth.jwks_endpoint_url", "an https URL"),
    ({"expected_issuer": ""}, "oauth.expected_issuer", "the issuer (`iss`) every token must carry"),
    ({"expected_issuer": None}, "oauth.expected_issuer", "non-empty string"),
    ({"expected_audience": []}, "oauth.expected_audience", "a non-empty list of audiences"),
    ({"expected_audience": "kafka-orders"}, "oauth.expected_audience", "a non-empty list"),
    ({"expected_audience": ["a,b"]}, "oauth.expected_audience", "no spaces or commas"),
    ({"jwt_validator": ""}, "oauth.jwt_validator", "a Java class name"),
    ({"jwt_validator": "org.apache.kafka.common.security.oauthbearer.ClientJwtValidator"}, "oauth.jwt_validator",
     "checks no signature"),
    ({"jwt_validator": "org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator"}, "oauth.jwt_validator",
     "CVE-2026-33557"),
    ({"principal_claim": "sub claim"}, "oauth.principal_claim", "a claim name"),
    ({"jwks_ca_pem": "not a certificate"}, "oauth.jwks_ca_pem", "PEM certificate text"),
]


@pytest.mark.parametrize("change, setting, fragment", REFUSED, ids=[f"{s}-{i}" for i, (_, s, _) in enumerate(REFUSED)])
def test_an_unsafe_oauth_setting_is_refused_before_anything_is_registered(monitor, change, setting, fragment):
    args = replace(KRAFT, oauth=replace(OAUTH, **change))
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", args), setting, fragment)


def test_every_safety_setting_is_required():
    with pytest.raises(TypeError) as error:
        OAuthArgs(jwks_endpoint_url=JWKS, allowed_urls=[JWKS])  # type: ignore[call-arg]
    assert all(name in str(error.value) for name in ("expected_issuer", "expected_audience", "jwt_validator"))


def test_oauth_needs_the_sasl_listener(monitor):
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(KRAFT, listeners=["SSL"])), "listeners",
                   "OAuth logins ride the SASL_SSL listener")


def test_a_validator_of_your_own_needs_a_release_that_reads_it(monitor):
    own = replace(OAUTH, jwt_validator="com.example.kafka.StrictJwtValidator")
    SelfManagedKafka("kafka-own", replace(KRAFT, oauth=own))  # 4.4: accepted
    monitor.recorded.clear()
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(ZOOKEEPER, oauth=own)), "oauth.jwt_validator",
                   "needs 4.1+")


def test_a_release_with_an_oauth_advisory_is_refused_only_when_oauth_is_on(monitor):
    # 4.1.1: CVE-2026-33557 (unsigned JWTs accepted by default) is OAuth's alone; its other risks are
    # accepted by name, as the table lists them for a cluster without OAuth
    from kafka_guardrails.versions import APACHE, judge

    risks = tuple(r.id for r in judge(APACHE, "4.1.1", mode="kraft").risks)
    assert "CVE-2026-33557" not in risks and risks
    without = replace(KRAFT, oauth=None, kafka_version="4.1.1", accept_version_risks=risks)
    SelfManagedKafka("kafka-plain", without)
    monitor.recorded.clear()
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(without, oauth=OAUTH)), "kafka_version",
                   "CVE-2026-33557")


def test_several_bad_oauth_settings_are_reported_at_once(monitor):
    args = replace(KRAFT, oauth=replace(OAUTH, allowed_urls=[], expected_audience=[], jwt_validator="x"))
    with pytest.raises(ConfigErrors) as error:
        SelfManagedKafka("kafka", args)
    assert [e.setting for e in error.value.errors] == ["oauth.allowed_urls", "oauth.expected_audience",
                                                       "oauth.jwt_validator"]
    assert monitor.recorded == [] and isinstance(error.value, ConfigError)


def test_a_stack_turns_oauth_on_with_an_oauth_block_and_errors_name_its_keys():
    from pathlib import Path

    from secure_kafka.stack.config import parse

    raw = yaml.safe_load((Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.selfmanaged.yaml").read_text())
    values = {k.split(":", 1)[1]: v for k, v in raw["config"].items() if k.startswith("secure-kafka:")}
    block = {"jwksEndpointUrl": JWKS, "allowedUrls": [JWKS], "expectedIssuer": "https://login.example.com/realms/orders",
             "expectedAudience": ["kafka-orders"], "jwtValidator": BROKER_VALIDATOR}
    values["selfManaged"] = {**values["selfManaged"], "listeners": ["SSL", "SASL_SSL"], "oauth": block}
    args = parse(values).args
    assert args.oauth == replace(OAUTH, jwks_ca_pem=None, allowed_urls=(JWKS,), expected_audience=("kafka-orders",))
    values["selfManaged"]["oauth"] = {k: v for k, v in block.items() if k != "expectedIssuer"}
    with pytest.raises(ConfigError) as error:
        parse(values)
    assert error.value.setting == "secure-kafka:selfManaged.oauth.expectedIssuer"
    values["selfManaged"]["oauth"] = {**block, "jwtValidator": "org.apache.kafka.common.security.oauthbearer.ClientJwtValidator"}
    with pytest.raises(ConfigError) as error:
        parse(values)
    assert error.value.setting == "secure-kafka:selfManaged.oauth.jwtValidator" and "checks no signature" in str(error.value)
