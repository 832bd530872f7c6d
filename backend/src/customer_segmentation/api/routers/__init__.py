"""One APIRouter per resource; :data:`ROUTERS` is the order they are mounted in."""

from . import clusters, customers, health, model, predict, reports

ROUTERS = (health.router, clusters.router, predict.router, customers.router, model.router, reports.router)

__all__ = ["ROUTERS"]
