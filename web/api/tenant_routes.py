"""/api/v1/plants, /api/v1/plugins and /api/v1/jobs: the tenant's set-up and its work."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from core import db
from core.auth.login import Principal
from core.billing.stripe_billing import sync_quantity
from core.errors import NotFound
from core.job_records import get_job
from core.tenancy.plants import create_plant, get_plant, list_plants, remove_plant
from core.tenancy.plugin_settings import change_plugin, list_plugin_states
from core.tenancy.roles import TENANT_ADMINS
from web.api.common import api_delete, api_get, api_post, to_json
from web.auth import roles


@api_get("/plants")
def list_plants_route(principal: Principal) -> dict[str, Any]:
    """The tenant's plants."""
    return {"items": to_json(list_plants(principal.tenant_id))}


class PlantIn(msgspec.Struct):
    name: str


@api_post("/plants", status_code=201, guards=[roles(TENANT_ADMINS)])
def create_plant_route(principal: Principal, data: PlantIn) -> dict[str, Any]:
    """Add a plant (owner and admin); 403 when the plan's plant limit is reached."""
    plant = create_plant(principal.tenant_id, principal.user_id, data.name)
    sync_quantity(principal.tenant_id)  # billed per plant: the subscription follows, prorated
    return to_json(plant)


@api_get("/plants/{plant_id:uuid}")
def get_plant_route(principal: Principal, plant_id: uuid.UUID) -> dict[str, Any]:
    """One plant."""
    return to_json(get_plant(principal.tenant_id, plant_id))


@api_delete("/plants/{plant_id:uuid}", guards=[roles(TENANT_ADMINS)])
def remove_plant_route(principal: Principal, plant_id: uuid.UUID) -> None:
    """Remove an empty plant (owner and admin); the subscription's quantity follows, prorated."""
    remove_plant(principal.tenant_id, principal.user_id, plant_id)
    sync_quantity(principal.tenant_id)


@api_get("/plugins")
def list_plugins_route(principal: Principal) -> dict[str, Any]:
    """Installed plugins, each with its description and whether this tenant enabled it."""
    return {"items": to_json(list_plugin_states(principal.tenant_id))}


@api_post("/plugins/{name:str}/enable", status_code=200, guards=[roles(TENANT_ADMINS)])
def enable_plugin_route(principal: Principal, name: str) -> dict[str, Any]:
    """Turn a plugin on for this tenant (owner and admin only)."""
    return to_json(change_plugin(principal.tenant_id, principal.user_id, name, True))


@api_post("/plugins/{name:str}/disable", status_code=200, guards=[roles(TENANT_ADMINS)])
def disable_plugin_route(principal: Principal, name: str) -> dict[str, Any]:
    """Turn a plugin off for this tenant (owner and admin only); its data stays."""
    return to_json(change_plugin(principal.tenant_id, principal.user_id, name, False))


def job_view(tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """A job's state for the API and the progress bar (parameters are not echoed)."""
    with db.tenant_session(tenant_id) as session:
        job = get_job(session, tenant_id, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}", "job")
        return {
            "id": str(job.id), "kind": job.kind, "status": job.status, "progress": job.progress,
            "result": job.result, "error": job.error,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        }


@api_get("/jobs/{job_id:uuid}")
def get_job_route(principal: Principal, job_id: uuid.UUID) -> dict[str, Any]:
    """Status, progress (0-100), and the result or error of a job."""
    return job_view(principal.tenant_id, job_id)


handlers = [
    list_plants_route, create_plant_route, get_plant_route, remove_plant_route, list_plugins_route, enable_plugin_route,
    disable_plugin_route, get_job_route,
]
