# Filegate. `make dev` runs it locally; `make test` runs every test.
# SAM builds each function with `make build-<LogicalId>` (BuildMethod: makefile).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
ARTIFACTS_DIR ?= build
LAMBDA_FLAGS := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_BUILD := $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w'

# FUNCTION_IDS are template.yaml's functions (the logical IDs of its
# AWS::Serverless::Function resources).
FUNCTION_IDS := $(shell awk '/^  [A-Za-z0-9]+:$$/ { id = substr($$1, 1, length($$1) - 1) } /^    Type: AWS::Serverless::Function$$/ { print id }' template.yaml)

# function_dir is a logical ID's functions/<dir>: the ID without "Function",
# in kebab case (GetFileFunction → get-file).
function_dir = $(shell echo '$(1)' | sed -E 's/Function$$//; s/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]')

# build-<LogicalId> builds functions/<dir> into $(ARTIFACTS_DIR)/bootstrap for
# provided.al2023 arm64: SAM's makefile build method runs it with
# ARTIFACTS_DIR set. One rule for every function of the template.
build-%Function:
	@$(if $(filter $*Function,$(FUNCTION_IDS)),,echo "$*Function is no function of template.yaml" >&2; exit 2)
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_FLAGS) $(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(call function_dir,$*Function)

.PHONY: build tools web dev test lint fuzz api-key clean
## build: every function's bootstrap under build/<LogicalId>/ (what sam build produces)
build:
	@for id in $(FUNCTION_IDS); do $(MAKE) --no-print-directory build-$$id ARTIFACTS_DIR=$(ARTIFACTS_DIR)/$$id; done

## tools: install pinned MinIO and DynamoDB Local once (outside the clone), and Debian's clamav-daemon (clamd) when root
tools:
	@bash infra/tools/install.sh >/dev/null
	@bash infra/tools/clamav.sh

## web: build the upload page (web/upload/dist/: Uppy and Filegate's plugin) from the npm packages web/uppy/package-lock.json pins
web:
	@bash infra/tools/uppy.sh

## dev: run the whole stack on 127.0.0.1:3000 and print a dev API key (kept across restarts; NEW_KEY=1 replaces it)
dev: tools web
	$(GO) run ./infra/cmd/dev $(if $(NEW_KEY),-new-key)

## test: lint, every Go test (unit, local-stack integration and faults, the bounded history check, the Uppy upload page in headless Chromium, template), and each fuzzer briefly
test: tools lint web
	@bash infra/tools/chromium.sh
	$(GO) test -count=1 -timeout 30m ./...
	@bash infra/tools/fuzz.sh $(FUZZTIME_BRIEF)

HISTORY_SECONDS ?= 300
HISTORY_FAULTS ?= 15
## history: the history checker's long run: HISTORY_SECONDS (300) of operations, HISTORY_FAULTS (15) faults; FILEGATE_HISTORY_SEED repeats a run's choices (`make test` runs it bounded: docs/recovery.md)
.PHONY: history
history: tools
	FILEGATE_HISTORY_LONG=1 FILEGATE_HISTORY_SECONDS=$(HISTORY_SECONDS) FILEGATE_HISTORY_FAULTS=$(HISTORY_FAULTS) \
		$(GO) test -count=1 -timeout 60m -run '^TestHistoryUnderFaultsIsLinearizable$$' ./infra/history/

FUZZTIME ?= 60s
FUZZTIME_BRIEF ?= 20000x
## fuzz: every fuzz target for FUZZTIME (60 s) each
fuzz:
	@bash infra/tools/fuzz.sh $(FUZZTIME)

## lint: gofmt, go vet and cfn-lint must be clean
lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@command -v cfn-lint >/dev/null || { echo "cfn-lint is missing: pip install cfn-lint"; exit 1; }
	cfn-lint template.yaml

## bench: the budgets (docs/ARCHITECTURE.md) measured against same-run baselines; writes infra/bench/results/results.md and results.json (~10 min; needs Java 17+ and Node.js 20+)
.PHONY: bench
bench: tools
	@bash infra/tools/s5cmd.sh
	$(GO) run ./infra/bench/cmd/bench

## smoke: check a deployed stack end to end (create, PUT, complete, download, delete) in under a minute: make smoke API=<ApiUrl> KEY=<api key>
.PHONY: smoke
smoke:
	@[ -n "$(API)" ] && [ -n "$(KEY)" ] || { echo "usage: make smoke API=<ApiUrl output> KEY=<api key with files:create and files:read>"; exit 2; }
	@$(GO) run ./infra/cmd/smoke -api "$(API)" -key "$(KEY)"

## api-key: mint a key for PROJECT=<uuid> against the running `make dev`
api-key:
	@[ -n "$(PROJECT)" ] || { echo "usage: make api-key PROJECT=<uuid>"; exit 2; }
	@[ -f .local/env ] || { echo "start the local stack first: make dev"; exit 1; }
	@source .local/env && $(GO) run ./infra/cmd/apikey mint -project $(PROJECT)

## limits: show or set the operator's rate limits and quotas against the running `make dev`:
##   make limits [ORG=<uuid>] [PROJECT=<uuid>] [WRITE=n] [READ=n] [SEARCH=n] [MAX_FILES=n] [MAX_BYTES=n]   (0 removes one)
.PHONY: limits
limits:
	@[ -f .local/env ] || { echo "start the local stack first: make dev"; exit 1; }
	@source .local/env && $(GO) run ./infra/cmd/limits $(if $(WRITE)$(READ)$(SEARCH)$(MAX_FILES)$(MAX_BYTES),set,get) \
		$(if $(ORG),-org $(ORG)) $(if $(PROJECT),-project $(PROJECT)) $(if $(WRITE),-write $(WRITE)) $(if $(READ),-read $(READ)) \
		$(if $(SEARCH),-search $(SEARCH)) $(if $(MAX_FILES),-max-files $(MAX_FILES)) $(if $(MAX_BYTES),-max-bytes $(MAX_BYTES))

## recount: rebuild a project's counts from its records against the running `make dev`
##   (after CountersDLQ messages): make recount PROJECT=<uuid> [DRY_RUN=1]
.PHONY: recount
recount:
	@[ -n "$(PROJECT)" ] || { echo "usage: make recount PROJECT=<uuid> [DRY_RUN=1]"; exit 2; }
	@[ -f .local/env ] || { echo "start the local stack first: make dev"; exit 1; }
	@source .local/env && $(GO) run ./infra/cmd/recount -project $(PROJECT) $(if $(DRY_RUN),-dry-run)

clean:
	rm -rf build
