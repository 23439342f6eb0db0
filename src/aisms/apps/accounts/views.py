"""Log in and out, personal API tokens, user management (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aisms.apps.accounts import services, tokens
from aisms.apps.accounts.forms import ThrottledLoginForm, TokenForm, UserCreateForm, UserUpdateForm
from aisms.apps.accounts.models import ApiToken, User
from aisms.domain.access import Action, Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


logout_view = auth_views.LogoutView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    services.require(user, Action.VIEW)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = tokens.issue_token(user, form.cleaned_data["name"], form.cleaned_data["days"])
        except tokens.TokenError as exc:
            form.add_error(None, str(exc))
        else:
            # Shown once on the next page (post/redirect/get, so a reload cannot create a second token).
            request.session["new_token"] = {"name": issued.token.name, "secret": issued.secret}
            return redirect("accounts:tokens")
    issued_once = request.session.pop("new_token", None) if request.method == "GET" else None
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "issued": issued_once,
            "tokens": ApiToken.objects.filter(user=user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        token = tokens.revoke_token(user, token_id)
    except ApiToken.DoesNotExist:
        messages.error(request, "No such token among yours.")
    else:
        messages.success(request, f"Token '{token.name}' revoked; it no longer works.")
    return redirect("accounts:tokens")


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    services.require(actor, Action.MANAGE_USERS)
    form = UserCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_user(
                data["username"],
                Role(data["role"]),
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=actor,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = UserCreateForm()
    users = User.objects.order_by("-is_active", "username")
    return render(request, "accounts/users.html", {"form": form, "users": users, "created": created})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    services.require(actor, Action.MANAGE_USERS)
    target = get_object_or_404(User, pk=user_id)
    form = UserUpdateForm(request.POST or None, initial={"role": target.role, "is_active": target.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(
                actor, target, role=Role(form.cleaned_data["role"]), is_active=form.cleaned_data["is_active"]
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"{target.username} updated.")
            return redirect("accounts:users")
    return render(request, "accounts/user_edit.html", {"form": form, "target": target})
