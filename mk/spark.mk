# The Spark engine (--engine spark): optional extra, its tests and its benchmark.
#   make spark-install  pyspark into .venv (and Java 17 from Debian when missing)
#   make test-spark     the Spark tests (pytest -m spark, one local[2] session)
#   make bench-spark    Spark engine (local[2]) beside the default engine at 1M and 10M rows
SPARK_STAMP := $(VENV)/.spark-installed
BENCH_SPARK_ROWS ?= 1000000,10000000

TEST_PREREQS += spark-install
TEST_SUITES += test-spark
BENCH_TARGETS += bench-spark

.PHONY: spark-install test-spark bench-spark

$(SPARK_STAMP): backend/requirements-spark.txt $(VENV)/.installed
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless >/dev/null; \
	  else echo "note: the Spark engine needs Java 17+ (apt-get install openjdk-17-jre-headless)"; fi; }
	$(PIP) install --quiet -r backend/requirements-spark.txt
	touch $@

spark-install: $(VENV)/.installed $(SPARK_STAMP) ## Install the optional Spark engine (pyspark 4.3; Java 17+)

test-spark: spark-install ## Run the Spark engine's tests (local[2], marked `spark`)
	cd backend && ../$(PY) -m pytest -q -m spark tests/spark

bench-spark: spark-install ## Time the Spark engine (local[2]) beside the default engine (BENCH_SPARK_ROWS)
	nice $(PY) -m customer_segmentation.engines.spark.bench --rows $(BENCH_SPARK_ROWS)
