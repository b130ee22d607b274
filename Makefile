# Confab — the commands. `make test` runs everything CI runs; `make dev` runs the chat locally.
# Every target installs what a fresh machine lacks (see scripts/), and is quick when it is there.

SHELL := /bin/bash
CARGO ?= cargo
export MOTO_SERVER ?= $(CURDIR)/.venv/bin/moto_server

.PHONY: help tools test fmt fmt-check clippy unit wasm-shared dev

help:
	@echo "make dev     run Confab locally at http://127.0.0.1:3000"
	@echo "make test    formatting, lints, every test, the wasm32 build of shared"
	@echo "make tools   install the toolchain pieces and Python test tools"

tools:
	@scripts/ensure-rust.sh
	@scripts/ensure-venv.sh

test: tools fmt-check clippy wasm-shared unit

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The schema must build for the browser: no AWS, tokio or Leptos dependency may creep in.
wasm-shared:
	$(CARGO) build -p shared --target wasm32-unknown-unknown --locked

unit:
	$(CARGO) test --workspace --locked
