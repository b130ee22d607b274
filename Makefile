# Confab — the commands. `make test` runs everything CI runs; `make dev` runs the chat locally.
# Every target installs what a fresh machine lacks (see scripts/), and is quick when it is there.

SHELL := /bin/bash
CARGO ?= cargo
export MOTO_SERVER ?= $(CURDIR)/.venv/bin/moto_server

.PHONY: help tools rust-tools test fmt fmt-check clippy unit wasm-shared dev gateway app

help:
	@echo "make dev     run Confab locally at http://127.0.0.1:3000"
	@echo "make test    formatting, lints, every test, the wasm32 build of shared"
	@echo "make tools   install the toolchain pieces and Python test tools"

DEV_LISTEN ?= 127.0.0.1:3000
DEV_DATA ?= .confab-data

# The whole chat on this machine: the app (when it exists) and the local gateway on the
# embedded store in $(DEV_DATA). Ctrl-C closes every socket ($disconnect) and flushes the store.
dev: rust-tools gateway app
	./target/local/confab-gateway --listen $(DEV_LISTEN) --data-dir $(DEV_DATA) --dist dist

gateway:
	$(CARGO) build --profile local -p gateway --locked

# The Leptos app (app/) is not written yet: until it is, the gateway serves a placeholder page.
app:
	@echo "==> no web app yet: http://$(DEV_LISTEN)/ shows a placeholder; the APIs are live"


tools: rust-tools
	@scripts/ensure-venv.sh

rust-tools:
	@scripts/ensure-rust.sh

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
