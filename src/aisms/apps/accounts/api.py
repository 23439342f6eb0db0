"""API: who am I, personal access tokens, users."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts import services, tokens
from aisms.apps.accounts.models import ApiToken, User
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action, Role

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    role: Role
    role_label: str
    is_active: bool

    @staticmethod
    def resolve_full_name(obj: User) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return Role(obj.role).label


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    role: Role
    email: str = Field(default="", max_length=254)
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)


class UserCreated(Schema):
    user: UserOut
    password: str = Field(description="The generated password, shown this once.")


class UserPatch(Schema):
    role: Role | None = None
    is_active: bool | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(default=90, ge=1, le=366)


class TokenCreated(Schema):
    token: TokenOut
    secret: str = Field(description="The bearer value. It is shown once and stored only as a hash.")


@router.get("/me", response=UserOut, summary="The authenticated user")
def me(request: HttpRequest) -> User:
    services.require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    services.require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    return list(ApiToken.objects.filter(user=request.auth))  # type: ignore[attr-defined]


@router.post(
    "/tokens", response={201: TokenCreated}, summary="Create an API token (its secret is shown once)"
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    services.require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    issued = tokens.issue_token(request.auth, payload.name, payload.days)  # type: ignore[attr-defined]
    return Status(201, {"token": issued.token, "secret": issued.secret})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke one of your API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    services.require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    return tokens.revoke_token(request.auth, token_id)  # type: ignore[attr-defined]


@router.get("/users", response=list[UserOut], summary="Users (for choosing owners)")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_users(request: HttpRequest) -> list[User]:
    services.require(request.auth, Action.VIEW)  # type: ignore[attr-defined]
    return User.objects.order_by("username")  # type: ignore[return-value]


@router.post("/users", response={201: UserCreated}, summary="Create a user (administrators)")
def create_user(request: HttpRequest, payload: UserIn) -> Status[Any]:
    user, password = services.create_user(
        payload.username,
        payload.role,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        actor=request.auth,  # type: ignore[attr-defined]
    )
    return Status(201, {"user": user, "password": password})


@router.patch("/users/{user_id}", response=UserOut, summary="Change a user's role or deactivate them")
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    services.require(request.auth, Action.MANAGE_USERS)  # type: ignore[attr-defined]
    target = get_object_or_404(User, pk=user_id)
    return services.update_user(request.auth, target, role=payload.role, is_active=payload.is_active)  # type: ignore[attr-defined]
