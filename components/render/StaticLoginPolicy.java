/*
 * secure-kafka: the login side of a listener stays what server.properties says.
 *
 * Kafka lets an operator change a listener's JAAS configuration (and its SASL callback handlers) at
 * runtime through AlterConfigs. On 4.4.0 in KRaft mode the controller stores such a change and the
 * broker takes it without checking the JVM's login-module allow-list (found by our real-server tests):
 * one stolen operator credential could load JNDI or LDAP login code into every broker. Run on the
 * controllers (alter.config.policy.class.name), this policy refuses those keys; everything else passes.
 */
package io.securekafka.policy;

import java.util.Map;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.AlterConfigPolicy;

public final class StaticLoginPolicy implements AlterConfigPolicy {

    /** A config that names login code: a JAAS configuration, a login class or a SASL callback handler. */
    static boolean namesLoginCode(String key) {
        return key.endsWith("sasl.jaas.config") || key.endsWith("sasl.login.class")
            || key.endsWith("callback.handler.class");
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void validate(RequestMetadata request) throws PolicyViolationException {
        if (request.resource().type() != ConfigResource.Type.BROKER) {
            return;
        }
        for (String key : request.configs().keySet()) {
            if (namesLoginCode(key)) {
                throw new PolicyViolationException("secure-kafka: " + key + " is static (server.properties); "
                    + "login modules and SASL callback handlers are not changed at runtime");
            }
        }
    }

    @Override
    public void close() {
    }
}
