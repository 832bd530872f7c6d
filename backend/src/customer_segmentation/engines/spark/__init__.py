"""The Spark engine (``--engine spark``): the pipeline's stages on Apache Spark, same artifacts.

Importing this package does not import pyspark; :func:`run_spark` does, and says how to install it
when it is missing. See ``engines/README.md`` for running it on a cluster.
"""

from .result import SparkRunResult
from .run import run_spark
from .session import INSTALL_HINT, SparkUnavailableError, parse_conf

__all__ = ["INSTALL_HINT", "SparkRunResult", "SparkUnavailableError", "parse_conf", "run_spark"]
