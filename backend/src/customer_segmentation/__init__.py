"""Customer segmentation: clean a customer table, choose k by silhouette, fit K-Means, explain segments.

The package is organised as small stages (``data`` → ``features`` → ``modeling`` → ``profiling`` →
``reporting``) glued together by :mod:`customer_segmentation.pipeline`; the CLI and the API are thin
shells around them.
"""

__version__ = "0.1.0"
