# The serving API (issue 3 / 6): benchmark of the fast scoring path vs the naive one.
#   make bench-api                      in-process µs per prediction and per 1 M rows, HTTP req/s and p50/p99
#   make bench-api BENCH_API_SECONDS=10 longer HTTP runs
# The model is trained into bench-out/api (gitignored); the table is printed and kept in bench-out/api/table.md.
BENCH_API_OUT ?= bench-out/api
BENCH_API_SECONDS ?= 5

BENCH_TARGETS += bench-api bench-health

.PHONY: bench-api bench-health test-api
bench-api: $(VENV)/.installed ## API benchmark: fast path vs DataFrame + pipeline.predict, in-process and HTTP
	$(PY) backend/bench/bench_api.py --seconds $(BENCH_API_SECONDS) --out $(BENCH_API_OUT)

test-api: $(VENV)/.installed ## Run the API tests only (endpoints, validation, fuzzing, live uvicorn, corpus)
	cd backend && ../$(PY) -m pytest -q tests/api

bench-health: $(VENV)/.installed ## /health p50/p99 while the worst bodies each limit allows arrive (target p99 ≤ 100 ms)
	cd backend && SEGMENTATION_BENCH_TARGETS=1 ../$(PY) -m pytest -q -s tests/hardening/test_health_under_load.py
