# Confab — the commands. `make test` runs everything CI runs; `make dev` runs the chat locally.
# Every target installs what a fresh machine lacks (see scripts/), and is quick when it is there.

SHELL := /bin/bash
CARGO ?= cargo
export MOTO_SERVER ?= $(CURDIR)/.venvs/test/bin/moto_server

.PHONY: help ui dev-lambda fuzz tools rust-tools test infra-check package deploy rotate-key destroy bench fmt fmt-check clippy unit wasm-shared dev gateway app e2e app-size

help:
	@echo "make dev     run Confab locally at http://127.0.0.1:3000"
	@echo "make test    formatting, lints, every test, the wasm32 build of shared, the e2e suite"
	@echo "make app     release build of the web app into dist/ (Trunk)"
	@echo "make dev-lambda  the same chat, each route running its real Lambda binary as the template wires it"
	@echo "make ui      trunk serve on :8080 (live reload) in front of make dev's gateway"
	@echo "make e2e     the Playwright suite in Chromium against a fresh local gateway"
	@echo "make tools   install the toolchain pieces and Python test tools"
	@echo "make package cross-build every Lambda (arm64 zips) and report their sizes"
	@echo "make bench   load and micro-benchmarks; writes docs/BENCHMARKS.md"
	@echo "make fuzz    the parser and frame property tests at a million cases each"
	@echo "make deploy  deploy to AWS (needs credentials; see docs/DEPLOY.md)"
	@echo "make rotate-key  a new token signing key for the stack (nobody is logged out)"
	@echo "make destroy remove the stack (tables are kept)"

DEV_LISTEN ?= 127.0.0.1:3000
DEV_DATA ?= .confab-data

# The whole chat on this machine: the app's release build and the local gateway on the
# embedded store in $(DEV_DATA). Ctrl-C closes every socket ($disconnect) and flushes the store.
dev: rust-tools gateway app
	./target/local/confab-gateway --listen $(DEV_LISTEN) --data-dir $(DEV_DATA) --dist dist

# The deployable system itself: every Lambda binary (host build) behind the gateway's Lambda
# Runtime API, wired by infra/template.yaml, on moto (docs/LOCAL_GATEWAY.md, "Lambda mode").
dev-lambda: rust-tools tools
	CONFAB_LISTEN=$(DEV_LISTEN) CONFAB_DATA_DIR=.confab-lambda scripts/dev-lambda.sh

gateway:
	$(CARGO) build --profile local -p gateway --locked

# The Leptos app (app/) built by Trunk into dist/ with the pinned tools; skipped when fresh.
app:
	@scripts/build-app.sh

# Trunk's dev server for UI work (live reload) in front of a running gateway (`make dev`);
# its debug builds go to target/trunk-serve/, never to dist/. See scripts/ui.sh.
GATEWAY ?= http://$(DEV_LISTEN)
UI_PORT ?= 8080
ui: rust-tools
	@GATEWAY=$(GATEWAY) UI_PORT=$(UI_PORT) scripts/ui.sh

# The app's transfer size (wasm + js + css, raw and gzip) against its budget.
app-size: app
	@python3 scripts/app_size.py dist

# The end-to-end suite: Playwright drives Debian's Chromium against a gateway it starts on a
# free port with a fresh data directory (end2end/playwright.config.ts).
e2e: app
	@scripts/ensure-e2e.sh
	cd end2end && npx playwright test


tools: rust-tools
	@scripts/ensure-venv.sh test

rust-tools:
	@scripts/ensure-rust.sh

test: tools fmt-check clippy wasm-shared unit infra-check e2e

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

# The SAM template, offline: cfn-lint, sam validate --lint and checkov, zero failures (every
# suppressed check carries its reason in the template); make package builds what sam build
# builds (infra/test_package.py); the deploy helpers (infra/aws.py) against moto. The drift
# test is in `unit`.
infra-check:
	@scripts/ensure-venv.sh infra
	@scripts/ensure-venv.sh checkov
	.venvs/infra/bin/cfn-lint infra/template.yaml
	SAM_CLI_TELEMETRY=0 .venvs/infra/bin/sam validate --lint --template-file infra/template.yaml --region us-east-1
	.venvs/checkov/bin/checkov --file infra/template.yaml --skip-download --quiet --compact
	@scripts/check-deploy-refuses.sh
	.venvs/infra/bin/python -m unittest discover -s infra -p test_package.py
	@scripts/ensure-venv.sh test
	.venvs/test/bin/python -m unittest discover -s infra -p test_aws.py
	.venvs/test/bin/python -m unittest discover -s scripts -p 'test_*.py'

# Every handler cross-built for Lambda (provided.al2023, arm64) as a zip, with its size.
package: rust-tools
	@scripts/package.sh

# The property tests of every parser and of the WebSocket entry points, at length: make test
# runs 2,000 cases per property; this runs FUZZ_CASES (a million by default) in release mode.
FUZZ_CASES ?= 1000000
fuzz: rust-tools
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release --locked -p shared --test parsers_never_panic
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release --locked -p handlers --test frames_never_panic

# Load scenarios (each beside a bare baseline), micro-benchmarks, docs/BENCHMARKS.md.
bench: rust-tools
	@scripts/bench.sh

deploy:
	@infra/deploy.sh

# A new token signing key for the deployed stack; nobody is logged out (docs/DEPLOY.md).
rotate-key:
	@infra/rotate-key.sh

destroy:
	@infra/destroy.sh
