"""Alternative training engines that produce the same artifacts as the default scikit-learn one.

The default engine lives in :mod:`customer_segmentation.pipeline`. Engines here are optional
extras: importing this package imports nothing heavy, and each engine imports its own
dependencies (e.g. pyspark) only when it is asked to run.
"""
