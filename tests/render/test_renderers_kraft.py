"""The KRaft renderer: controllers and brokers with TLS on every listener (the CONTROLLER one too),
StandardAuthorizer denying by default, no PLAINTEXT anywhere, and the quorum's own invariants."""
import pytest

from secure_kafka.model.pki import BROKER_IDENTITY, CONTROLLER_IDENTITY, client_cert, controller_certs
from secure_kafka.render.kafka import PemFiles
from secure_kafka.render.kraft import (CONTROLLER_ID_BASE, ControllerSettings, KRaftBrokerSettings, Voter,
                                       controller_properties, kraft_broker_properties)

TLS = PemFiles("/etc/kafka/tls/node.pem", "/etc/kafka/tls/ca.pem")
VOTERS = [Voter(CONTROLLER_ID_BASE + i, f"10.0.0.{10 + i}") for i in range(3)]


def controller(node_id=CONTROLLER_ID_BASE, voters=VOTERS):
    return controller_properties(ControllerSettings(node_id, "orders", "10.0.0.10", voters, "/var/lib/kafka/meta", TLS))


def broker(node_id=0, sasl=None, **extra):
    return kraft_broker_properties(KRaftBrokerSettings(node_id, "orders", "10.0.1.10", VOTERS, "/var/lib/kafka/data",
                                                       TLS, sasl_port=sasl, **extra), 3)


def protocols(props):
    return dict(pair.split(":") for pair in props["listener.security.protocol.map"].split(","))


def test_a_controller_listens_only_on_its_tls_controller_listener():
    props = controller()
    assert props["process.roles"] == "controller" and props["node.id"] == CONTROLLER_ID_BASE
    assert props["listeners"] == "CONTROLLER://0.0.0.0:9093"
    assert protocols(props) == {"CONTROLLER": "SSL"}
    assert props["ssl.client.auth"] == "required" and props["ssl.endpoint.identification.algorithm"] == "https"
    assert props["controller.quorum.voters"] == "1000@10.0.0.10:9093,1001@10.0.0.11:9093,1002@10.0.0.12:9093"
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] is False
    assert props["super.users"] == f"User:{BROKER_IDENTITY};User:{CONTROLLER_IDENTITY}"
    assert not [k for k in props if k.startswith("zookeeper")]
    # the controller creates topics in KRaft: it holds the topic defaults
    assert props["default.replication.factor"] == 3 and props["min.insync.replicas"] == 2
    assert props["unclean.leader.election.enable"] is False


@pytest.mark.parametrize("sasl", [None, 9096])
def test_a_broker_speaks_tls_to_controllers_and_clients_and_nothing_in_plaintext(sasl):
    props = broker(sasl=sasl)
    assert props["process.roles"] == "broker" and props["controller.listener.names"] == "CONTROLLER"
    listeners = props["listeners"].split(",")
    assert len(listeners) == (2 if sasl else 1)
    assert {l.split("://")[0] for l in listeners} == ({"SSL", "SASL_SSL"} if sasl else {"SSL"})
    assert set(protocols(props).values()) <= {"SSL", "SASL_SSL"}
    assert "PLAINTEXT" not in "".join(str(v) for v in props.values()).replace("SASL_SSL", "")
    assert props["inter.broker.listener.name"] == "SSL"
    assert props["unclean.leader.election.enable"] is False and props["min.insync.replicas"] == 2
    if sasl:
        assert props["listener.name.sasl_ssl.ssl.client.auth"] == "required"


@pytest.mark.parametrize("build, message", [
    (lambda: controller(node_id=5), "not one of the quorum's voters"),
    (lambda: controller(voters=VOTERS[:2]), "1, 3 or 5 voters"),
    (lambda: controller(voters=[VOTERS[0], VOTERS[0], VOTERS[1]]), "distinct node ids"),
    (lambda: broker(node_id=CONTROLLER_ID_BASE), "taken by a controller"),
    (lambda: broker(min_insync_replicas=1), "min.insync.replicas"),
    (lambda: broker(sasl=9094), "different ports"),
])
def test_invariants_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_controllers_have_their_own_identity_that_no_client_can_take():
    [spec] = controller_certs("orders", [["10.0.0.10"]])
    assert spec.common_name == CONTROLLER_IDENTITY and spec.ip_addresses == ("10.0.0.10",)
    with pytest.raises(ValueError):
        client_cert("orders", CONTROLLER_IDENTITY)
