# quorum: `make up` launches the default local topology with its supervisor;
# `make test` runs every check. Both install what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
SOURCES := $(shell find src -name '*.ts' -not -name '*.test.ts' 2>/dev/null)
WEB_SOURCES := $(shell find web/src -name '*.ts*' -not -name '*.test.ts' 2>/dev/null) web/index.html web/vite.config.ts

.PHONY: help deps test-deps build bench screenshot up down test check lint format typecheck imports deadcode unit integration clean

help:
	@echo "make up      install what is missing, build, launch the default topology (Ctrl-C stops it)"
	@echo "make test    install what is missing, build, lint, check formatting, typecheck, check imports and dead exports, run every test"
	@echo "make down    stop a deployment started with 'bin/quorum up --detach'"
	@echo "make bench   run the benchmarks (results in docs/benchmarks.md)"

deps:
	@scripts/install-deps.sh

# the end-to-end tests drive Debian's chromium
test-deps:
	@scripts/install-deps.sh --browser

dist/.built: $(SOURCES) tsconfig.json tsconfig.build.json package-lock.json
	@rm -rf dist
	npx tsc -p tsconfig.build.json
	@touch dist/.built

web/dist/index.html: $(WEB_SOURCES) $(SOURCES) package-lock.json
	npx vite build web --logLevel warn

# the proxy's byte relay, a Node-API addon in C
native/build/relay.node: $(wildcard native/*.c native/*.h) scripts/build-native.sh
	@scripts/build-native.sh

build: deps dist/.built web/dist/index.html native/build/relay.node

up: build
	bin/quorum up

down: build
	bin/quorum down

lint: deps
	npx eslint --max-warnings 0 .

format: deps
	npx prettier --write .

typecheck: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p web/tsconfig.json

# the import rule between layers (.dependency-cruiser.cjs) and exports nothing uses (knip.json)
imports: deps
	npx depcruise src web/src --config .dependency-cruiser.cjs

deadcode: deps
	npx knip

check: lint typecheck imports deadcode
	npx prettier --check .

unit: build
	npx vitest run --project unit

integration: build
	npx vitest run --project integration --project 'lab*'

test: test-deps build check
	@rm -f .test-results.json
	npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results.json; \
	  status=$$?; node scripts/test-summary.mjs .test-results.json $$status || status=1; exit $$status

# benchmarks are scripts, not tests: they write their results to docs/benchmarks.md
bench: test-deps build
	npx tsx bench/push-latency.ts --runs 100
	npx tsx bench/proxy-throughput.ts --rounds 7 --requests 200000
	npx tsx bench/proxy-idle.ts --connections 3000 --samples 3
	npx tsx bench/proxy-cutover.ts --runs 15
	npx tsx bench/metrics-scrape.ts --nodes 99 --rounds 20 --window 30
	# lost elections print their figures (quoted by hand in docs/benchmarks.md)
	npx tsx bench/lost-election.ts --runs 30
	npx tsx bench/lost-election.ts --runs 5 --split-votes
	npx tsx bench/lost-election.ts --runs 3 --split-votes --failover-timeout 60000

screenshot: test-deps build
	npx tsx scripts/screenshot.ts

clean:
	rm -rf dist web/dist native/build .test-results.json
