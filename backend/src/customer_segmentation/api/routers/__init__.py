"""One APIRouter per resource; :data:`ROUTERS` is the order they are mounted in."""

from . import clusters, customers, exports, health, model, predict, reports, runs, training, transactions

ROUTERS = (
    health.router,
    clusters.router,
    predict.router,
    transactions.router,
    customers.router,
    exports.router,
    model.router,
    reports.router,
    runs.router,
    training.router,
)

__all__ = ["ROUTERS"]
