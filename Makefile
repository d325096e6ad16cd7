# The README opens with ./preview (the gate's own exit code) and `make test`; each bootstraps what it
# needs. `make preview` runs the same job, but make reports any failure as its own exit 2.
STACK ?= dev
PY := .venv/bin/python

.PHONY: preview test bench bench-kafka bootstrap bootstrap-test
bootstrap:
	@bash .ci/bootstrap

bootstrap-test:
	@bash .ci/bootstrap test

preview:
	@./preview $(STACK)

test: bootstrap-test
	@bash .ci/test

bench: bootstrap
	@$(PY) bench/run.py

bench-kafka: bootstrap
	@$(PY) bench/kafka_cluster.py
