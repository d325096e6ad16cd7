"""The pure model shared by every platform: errors, names, the topic-access model, the PKI model,
typed settings and value checks.

May import: the standard library, `pulumi` itself (a value may be an Output) and `kafka_guardrails`.
Never a provider package, nor any other part of secure_kafka: everything else builds on this.
"""
