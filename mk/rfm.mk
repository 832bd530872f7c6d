# Transactions → RFM (issue 12): derive_customers (DuckDB, out of core) vs the naive pandas aggregation.
#   make bench-rfm                                   1 M, 10 M, 100 M lines, CSV and Parquet (100 M: ≈9 GB of CSV)
#   make bench-rfm BENCH_RFM_SIZES="1000000 10000000" BENCH_RFM_FORMATS=csv
# Synthetic exports and run artifacts go to bench-out/rfm (gitignored); the table is printed and
# written into backend/reports/benchmarks.md (between its bench-rfm markers).
BENCH_RFM_SIZES ?= 1000000 10000000 100000000
BENCH_RFM_FORMATS ?= csv parquet
BENCH_RFM_OUT ?= bench-out/rfm
# The naive pandas aggregation holds every line in memory (≈3.5 GB at 10 M lines): not run above this.
BENCH_RFM_NAIVE_MAX ?= 10000000
# Also time the whole CLI run (main.py --transactions): auto = when the CLI has --transactions.
BENCH_RFM_PIPELINE ?= auto

BENCH_TARGETS += bench-rfm

.PHONY: bench-rfm
bench-rfm: $(VENV)/.installed ## Transactions → RFM benchmark: derive_customers vs naive pandas at BENCH_RFM_SIZES lines
	nice -n 10 $(PY) backend/bench/bench_rfm.py --sizes "$(BENCH_RFM_SIZES)" --formats "$(BENCH_RFM_FORMATS)" \
	  --out $(BENCH_RFM_OUT) --naive-max-lines $(BENCH_RFM_NAIVE_MAX) --pipeline $(BENCH_RFM_PIPELINE) \
	  --json $(BENCH_RFM_OUT)/results.json --report backend/reports/benchmarks.md
