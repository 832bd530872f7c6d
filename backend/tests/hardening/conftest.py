"""Fixtures of the hardening tests (issue 14): the API tests' fixtures, shared rather than copied.

Importing a fixture function into a conftest registers it for this folder, so these tests build apps
exactly as the API tests do (trained artifacts in temp folders, the environment isolated).
"""

from __future__ import annotations

from api.conftest import (  # noqa: F401  (fixtures, registered by import)
    _isolated_environment,
    api_settings,
    artifacts_copy,
    client,
    make_settings,
    trained_gender,
    trained_result,
    trained_root,
)
