"""Start (or reuse) the SparkSession the engine runs on, with safe local defaults.

pyspark is an optional extra: it is imported here, lazily, and its absence (or a missing Java)
becomes a one-line :class:`~customer_segmentation.errors.ConfigError` instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ...errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = "pip install -r backend/requirements-spark.txt"
APP_NAME = "customer-segmentation"


class SparkUnavailableError(ConfigError):
    """pyspark or Java is missing: the Spark engine cannot start."""


def require_pyspark() -> str:
    """Return the installed pyspark version, or raise a one-line error saying how to install it."""
    try:
        import pyspark
    except ModuleNotFoundError:
        raise SparkUnavailableError(f"--engine spark needs pyspark, which is not installed: {INSTALL_HINT}") from None
    return str(pyspark.__version__)


def default_conf(master: str) -> dict[str, str]:
    """Settings that keep a run quiet and self-contained; any of them can be overridden.

    No web UI (it opens a port), a scratch dir under the system temp dir, Arrow for the few
    collections to the driver, and on a local master a loopback-only driver (no network).
    """
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.local.dir": os.path.join(tempfile.gettempdir(), "customer-segmentation-spark"),
        "spark.sql.session.timeZone": "UTC",
    }
    if master.startswith("local"):
        conf.update(
            {
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
                # Small data, few cores: 200 shuffle partitions would be pure overhead.
                "spark.sql.shuffle.partitions": "8",
            }
        )
    return conf


#: Spark's own log lines below ERROR are noise for a CLI user (the engine reports its stages itself).
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_local_jvm(settings: dict[str, str]) -> None:
    """Before a local JVM starts: loopback only, and a log4j2 file that keeps Spark's logs to errors."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if "spark.driver.extraJavaOptions" in settings:
        return
    config = os.path.join(settings["spark.local.dir"], "log4j2.properties")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(_LOG4J2)
    settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{config}"


def parse_conf(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` strings from ``--spark-conf`` as a dict; a malformed pair is a ConfigError."""
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--spark-conf expects KEY=VALUE, got {pair!r}")
        conf[key.strip()] = value
    return conf


def launched_by_spark_submit() -> bool:
    """True when this Python process was started by ``spark-submit`` (its JVM gateway is waiting)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


#: The master URL forms Spark accepts; anything else is refused before a JVM is started.
MASTER_URL = re.compile(r"local(\[(\*|\d+)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|(spark|mesos|k8s)://\S+|yarn")


def check_master(master: str) -> None:
    """One-line ConfigError for a master URL Spark would reject with a Java stack trace."""
    if not MASTER_URL.fullmatch(master):
        raise ConfigError(
            f"--spark-master {master!r} is not a Spark master URL "
            "(use local[*], local[N], spark://HOST:PORT, yarn, k8s://URL or mesos://URL)"
        )


def build_session(master: str = "local[*]", conf: Mapping[str, str] | None = None) -> SparkSession:
    """Create (or reuse) the SparkSession; user ``conf`` wins over :func:`default_conf`."""
    if not launched_by_spark_submit():
        check_master(master)
    require_pyspark()
    from pyspark.sql import SparkSession

    quiet_pyspark_warnings()
    if launched_by_spark_submit():
        # spark-submit already chose the master and conf: only the user's --spark-conf is added.
        settings, builder = dict(conf or {}), SparkSession.builder.appName(APP_NAME)
    else:
        settings = {**default_conf(master), **(conf or {})}
        os.makedirs(settings["spark.local.dir"], exist_ok=True)
        if master.startswith("local"):
            _quiet_local_jvm(settings)
        builder = SparkSession.builder.master(master).appName(APP_NAME)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Java missing/too old, bad master URL: py4j raises many types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SparkUnavailableError(
            f"could not start Spark with master {master!r} (it needs Java 17+ and a reachable master): {first}"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def quiet_pyspark_warnings() -> None:
    """pyspark 4.3 warns that it "does not yet fully support pandas >= 3" on every Arrow transfer;
    the engine only moves plain numbers and strings that way (checked by the tests)."""
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


@contextlib.contextmanager
def spark_session(
    master: str = "local[*]", conf: Mapping[str, str] | None = None, existing: SparkSession | None = None
) -> Iterator[SparkSession]:
    """The session for one run: ``existing`` or an already active session (spark-submit, a notebook,
    tests) is used as is and left running; otherwise one is started and stopped at the end."""
    if existing is None:
        require_pyspark()
        from pyspark.sql import SparkSession

        existing = SparkSession.getActiveSession()
    if existing is not None:
        yield existing
        return
    spark = build_session(master, conf)
    try:
        yield spark
    finally:
        spark.stop()
