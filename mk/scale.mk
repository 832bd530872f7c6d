# Scale on one machine (issue 7): the pipeline vs the naive K-Means sweep at growing table sizes.
#   make bench-scale                         all sizes (200, 100k, 1M, 10M rows; ≈10 min, ≈3 GB peak)
#   make bench-scale BENCH_SIZES="200 1000000"
# Synthetic data and run artifacts go to bench-out/scale (gitignored); the table is printed and
# written into backend/reports/benchmarks.md (between its bench-scale markers).
BENCH_SIZES ?= 200 100000 1000000 10000000
BENCH_SCALE_OUT ?= bench-out/scale
# The naive sweep takes minutes at 10M rows; lower this to skip it above a size.
BENCH_NAIVE_MAX_ROWS ?= 10000000
# Cap the naive sweep's OpenMP/BLAS threads (0 = scikit-learn's default: every core). On a machine
# shared with other jobs 2 OpenMP threads can be 10–50× slower than 1 (see benchmarks.md).
BENCH_NAIVE_THREADS ?= 0

BENCH_TARGETS += bench-scale

.PHONY: bench-scale
bench-scale: $(VENV)/.installed ## Scale benchmark: whole pipeline vs naive K-Means at BENCH_SIZES rows
	nice -n 10 $(PY) backend/bench/bench_scale.py --sizes "$(BENCH_SIZES)" --out $(BENCH_SCALE_OUT) \
	  --naive-max-rows $(BENCH_NAIVE_MAX_ROWS) --naive-threads $(BENCH_NAIVE_THREADS) --json $(BENCH_SCALE_OUT)/results.json \
	  --report backend/reports/benchmarks.md
