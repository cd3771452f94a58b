"""/api/v1/scoring-models: define, train, publish, revert and delete lead scoring models.

Administrators write; sales managers read (models, versions and their evaluation).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from leadgate.api.deps import ActorDep, IfMatchRequired, SessionDep
from leadgate.api.responses import record_response
from leadgate.api.routers.job_runs import enqueued
from leadgate.jobs.requests import request_training
from leadgate.jobs.schemas import JobRunRead
from leadgate.scoring import service
from leadgate.scoring.leadfields import CATALOG, DEFAULT_FIELDS
from leadgate.scoring.models import ScoringModel, ScoringModelVersion
from leadgate.scoring.schemas import (
    RescoreResult,
    ScoringModelCreate,
    ScoringModelRead,
    ScoringModelUpdate,
    VersionRead,
)
from leadgate.security.access import load

router = APIRouter(prefix="/scoring-models", tags=["scoring"])


def _version_response(version: ScoringModelVersion, status: int = 200) -> JSONResponse:
    return JSONResponse(
        VersionRead.model_validate(version).model_dump(mode="json"), status_code=status
    )


@router.get("", response_model=list[ScoringModelRead], summary="List scoring models")
def list_models(session: SessionDep, actor: ActorDep) -> list[dict[str, Any]]:
    with session.begin():
        return [
            ScoringModelRead.model_validate(m).model_dump(mode="json")
            for m in service.list_models(session, actor)
        ]


@router.get("/fields", summary="Fields and signals a scoring model may learn from")
def fields(actor: ActorDep) -> dict[str, Any]:
    return {"fields": CATALOG, "default": DEFAULT_FIELDS}


@router.post("", status_code=201, response_model=ScoringModelRead)
def create_model(data: ScoringModelCreate, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        model = service.create_model(session, actor, data)
        return record_response(ScoringModelRead, model, 201, f"/api/v1/scoring-models/{model.id}")


@router.get("/{model_id}", response_model=ScoringModelRead)
def get_model(model_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return record_response(ScoringModelRead, load(session, actor, ScoringModel, model_id))


@router.patch("/{model_id}", response_model=ScoringModelRead)
def update_model(
    model_id: uuid.UUID,
    data: ScoringModelUpdate,
    session: SessionDep,
    actor: ActorDep,
    version: IfMatchRequired,
) -> JSONResponse:
    with session.begin():
        return record_response(
            ScoringModelRead, service.update_model(session, actor, model_id, data, version)
        )


@router.delete("/{model_id}", status_code=204)
def delete_model(
    model_id: uuid.UUID, session: SessionDep, actor: ActorDep, version: IfMatchRequired
) -> Response:
    with session.begin():
        service.delete_model(session, actor, model_id, version)
    return Response(status_code=204)


@router.post(
    "/{model_id}/train",
    status_code=202,
    response_model=JobRunRead,
    responses={201: {"model": VersionRead, "description": "trained inline (?inline=true)"}},
    summary="Train a new version on closed leads (older 80 % fit, newest 20 % measured)",
)
def train(
    model_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    inline: Annotated[
        bool, Query(description="train in this request; 201 with the version")
    ] = False,
    publish: Annotated[bool, Query(description="publish the new version when ready")] = False,
) -> JSONResponse:
    """By default a background job: 202 with the job run (Location to poll; its result
    names the new version). With `inline=true` the request trains and answers 201."""
    if inline:
        with session.begin():
            version = service.train(session, actor, model_id)
            if publish and version.ready_to_publish:
                service.publish(session, actor, version.id)
            return _version_response(version, 201)
    with session.begin():
        run = request_training(session, actor, model_id, publish=publish)
    return enqueued(request, session, actor, run)


@router.post(
    "/{model_id}/revert",
    response_model=VersionRead,
    summary="Publish again the version published before the current one",
)
def revert(model_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JSONResponse:
    with session.begin():
        return _version_response(service.revert(session, actor, model_id))


@router.post("/{model_id}/rescore", response_model=RescoreResult)
def rescore(model_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> RescoreResult:
    with session.begin():
        return RescoreResult(scored=service.rescore(session, actor, model_id))


@router.get("/{model_id}/versions/{version_id}", response_model=VersionRead)
def get_version(
    model_id: uuid.UUID, version_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        return _version_response(service.get_version(session, actor, model_id, version_id))


@router.post("/{model_id}/versions/{version_id}/publish", response_model=VersionRead)
def publish(
    model_id: uuid.UUID, version_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        service.get_version(session, actor, model_id, version_id)
        return _version_response(service.publish(session, actor, version_id))


@router.delete("/{model_id}/versions/{version_id}", status_code=204)
def delete_version(
    model_id: uuid.UUID, version_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> Response:
    with session.begin():
        service.get_version(session, actor, model_id, version_id)
        service.delete_version(session, actor, version_id)
    return Response(status_code=204)
