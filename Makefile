# The two commands the README opens with. Each bootstraps what it needs.
STACK ?= dev
PY := .venv/bin/python

.PHONY: preview test bench bench-kafka bootstrap
bootstrap:
	@bash .ci/bootstrap

preview: bootstrap
	@.venv/bin/secure-kafka preview --stack $(STACK)

test: bootstrap
	@bash .ci/test

bench: bootstrap
	@$(PY) bench/run.py

bench-kafka: bootstrap
	@$(PY) bench/kafka_cluster.py
