# The dashboard (frontend/): install, build the static export, typed API client, tests.
#   make frontend-build  build frontend/out (served by the API at /)
#   make client          regenerate frontend/openapi.json and frontend/app/lib/api-types.ts
#   make client-check    fail when the committed client differs from the API's schema
#   make test-frontend   type check + vitest component tests
#   make test-e2e        browser tests (pytest + Playwright, Debian chromium) against a real uvicorn
FRONTEND := frontend
NPM ?= npm
# Every input of the export; the build reruns only when one of them changes.
FRONTEND_SOURCES := $(shell find $(FRONTEND)/app $(FRONTEND)/public -type f 2>/dev/null) \
	$(wildcard $(FRONTEND)/*.json $(FRONTEND)/*.ts $(FRONTEND)/.env*)

TEST_PREREQS += frontend-build
RUN_PREREQS += frontend-build
TEST_SUITES += client-check test-frontend test-e2e
BENCH_TARGETS += bench-frontend

.PHONY: frontend-install frontend-build client client-check test-frontend test-e2e bench-frontend

# npm ci, never --omit=optional: the SWC compiler Next needs is an optional dependency.
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && $(NPM) ci --no-audit --no-fund
	touch $@

frontend-install: $(FRONTEND)/node_modules/.installed ## Install the dashboard's node packages (npm ci)

$(FRONTEND)/out/index.html: $(FRONTEND)/node_modules/.installed $(FRONTEND_SOURCES)
	cd $(FRONTEND) && NEXT_TELEMETRY_DISABLED=1 $(NPM) run build
	touch $@

frontend-build: $(FRONTEND)/out/index.html ## Build the dashboard's static export into frontend/out

client: $(VENV)/.installed frontend-install ## Regenerate the typed API client from the API's OpenAPI schema
	$(PY) backend/scripts/export_openapi.py $(FRONTEND)/openapi.json
	cd $(FRONTEND) && npx openapi-typescript openapi.json -o app/lib/api-types.ts

client-check: $(VENV)/.installed frontend-install ## Fail if the generated API client is out of date
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) backend/scripts/export_openapi.py "$$tmp/openapi.json" 2>/dev/null && \
	(cd $(FRONTEND) && npx openapi-typescript "$$tmp/openapi.json" -o "$$tmp/api-types.ts" >/dev/null 2>&1) && \
	if diff -u $(FRONTEND)/openapi.json "$$tmp/openapi.json" && diff -u $(FRONTEND)/app/lib/api-types.ts "$$tmp/api-types.ts"; then \
	  echo "client-check: 1 passed, 0 failed"; \
	else echo "client-check: the generated API client is out of date: run 'make client' and commit the result"; \
	  echo "client-check: 0 passed, 1 failed"; exit 1; fi

test-frontend: frontend-install ## Type-check the dashboard and run its vitest component tests
	cd $(FRONTEND) && npx tsc --noEmit && npx vitest run

test-e2e: $(VENV)/.installed frontend-build ## Browser tests of the built dashboard against a real API
	cd backend && ../$(PY) -m pytest -q -m browser tests/e2e

bench-frontend: $(VENV)/.installed frontend-build ## Time to interactive charts and JS bytes (headless chromium)
	cd backend && ../$(PY) -m pytest -q -s -m browser tests/e2e/test_performance.py
