# The segment workspace (issue 15): the customers table's speed with 1 M customers served.
#   make bench-customers                          page p50/p95 per query kind over HTTP, and a streamed export
#   make bench-customers BENCH_CUSTOMERS_ROWS=200000
# The synthetic table and its trained model go to bench-out/customers (gitignored, reused while the
# size is unchanged); the table is printed and kept in bench-out/customers/table.md.
BENCH_CUSTOMERS_ROWS ?= 1000000
BENCH_CUSTOMERS_REPEATS ?= 40
BENCH_CUSTOMERS_OUT ?= bench-out/customers

BENCH_TARGETS += bench-customers

.PHONY: bench-customers
bench-customers: $(VENV)/.installed ## Customers-table benchmark: GET /customers page p95 with 1 M customers served
	$(PY) backend/bench/bench_customers.py --rows $(BENCH_CUSTOMERS_ROWS) --repeats $(BENCH_CUSTOMERS_REPEATS) \
	  --out $(BENCH_CUSTOMERS_OUT)
