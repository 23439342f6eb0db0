"""People pages: the register with its import, one person, roles and competences, modules and assignments,
completions and their import, the gaps and coverage dashboard, and the per-manager list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.people import forms, selectors, services
from aisms.apps.people.models import Competence, Completion, JobRole, ModuleAssignment, Person, TrainingModule
from aisms.apps.web.charts import heat_grid, horizontal_bars, percent_bars, share_trend
from aisms.apps.web.form_errors import add_service_errors
from aisms.catalogue.training_modules import load_starter_modules
from aisms.domain import training_coverage as tc
from aisms.domain.access import Action
from aisms.domain.people_table import COMPLETION_COLUMNS, PEOPLE_COLUMNS


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    q = request.GET.get("q", "")[:200]
    department = request.GET.get("department", "")[:100]
    show = request.GET.get("show", "active")
    active = {"active": True, "inactive": False}.get(show)
    rows = selectors.people(q=q, department=department, active=active)
    context = {
        "people": rows,
        "q": q,
        "department": department,
        "departments": selectors.departments(),
        "show": show,
    }
    return render(request, "people/index.html", context)


@login_required
def create_person(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.PersonForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles, manager = data.pop("roles"), data.pop("manager")
        if Person.objects.filter(employee_id=data["employee_id"]).exists():
            form.add_error("employee_id", "a person with this employee id is already in the register")
        else:
            try:
                added = services.create_person(user, roles=roles, manager=manager, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{added.name} added.")
                return redirect("people:person", pk=added.pk)
    return render(
        request, "people/form.html", {"form": form, "title": "Add a person", "button": "Add person"}
    )


@login_required
def edit_person(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    person = get_object_or_404(Person, pk=pk)
    initial = {
        "employee_id": person.employee_id,
        "name": person.name,
        "email": person.email,
        "department": person.department,
        "manager": person.manager_id,
        "roles": list(person.roles.values_list("pk", flat=True)),
        "start_date": person.start_date,
    }
    form = forms.PersonForm(request.POST or None, initial=initial)
    form.fields["manager"].queryset = Person.objects.filter(active=True).exclude(pk=person.pk)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("roles")
        taken = Person.objects.filter(employee_id=data["employee_id"]).exclude(pk=person.pk).exists()
        if taken:
            form.add_error("employee_id", "a person with this employee id is already in the register")
        else:
            try:
                services.update_person(user, person, roles=roles, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{person.name} saved.")
                return redirect("people:person", pk=person.pk)
    return render(
        request, "people/form.html", {"form": form, "title": f"Edit {person.name}", "button": "Save"}
    )


@login_required
def create_module(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        competences = data.pop("competences")
        if TrainingModule.objects.filter(code=data["code"]).exists():
            form.add_error("code", "a module with this code already exists")
        else:
            try:
                services.create_module(user, competences=competences, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Module {data['title']} added.")
                return redirect("people:modules")
    return render(
        request, "people/form.html", {"form": form, "title": "Add a training module", "button": "Add module"}
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    found = get_object_or_404(Person.objects.select_related("manager").prefetch_related("roles"), pk=pk)
    today = timezone.localdate()
    requirements = [r for role in found.roles.all() for r in role.requirements.select_related("competence")]
    gaps = selectors.gaps(today, person_ids={found.pk})
    context = {
        "person": found,
        "requirements": requirements,
        "obligations": selectors.person_obligations(found, today),
        "completions": found.completions.select_related("module"),
        "competence_gaps": gaps.competences,
        "competence_records": found.competence_records.select_related("competence", "verified_by"),
        "reports": found.reports.filter(active=True),
    }
    return render(request, "people/person.html", context)


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Person, pk=pk)
    services.deactivate_person(_user(request), found)
    messages.success(request, f"{found.name} is now inactive; their records and history are kept.")
    return redirect("people:person", pk=pk)


def _import(request: HttpRequest, *, people: bool) -> HttpResponse:
    user = _user(request)
    require(user, Action.MANAGE_ORGANISATION)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.import_people if people else services.import_completions
        try:
            result = run(user, upload.read(), upload.name)
        except services.PeopleImportError as exc:
            rejected = exc
        else:
            messages.success(
                request,
                f"{result.filename}: {result.created} added, {result.updated} updated, "
                f"{result.unchanged} unchanged.",
            )
            return redirect("people:index" if people else "people:gaps")
    context = {
        "form": form,
        "rejected": rejected,
        "what": "people" if people else "completions",
        "columns": PEOPLE_COLUMNS if people else COMPLETION_COLUMNS,
    }
    return render(request, "people/import.html", context, status=400 if rejected else 200)


@login_required
def import_people(request: HttpRequest) -> HttpResponse:
    return _import(request, people=True)


@login_required
def import_completions(request: HttpRequest) -> HttpResponse:
    return _import(request, people=False)


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    role_form = forms.RoleForm(prefix="role")
    competence_form = forms.CompetenceForm(prefix="competence")
    requirement_form = forms.RequirementForm(prefix="requirement")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "role":
                role_form = forms.RoleForm(request.POST, prefix="role")
                if role_form.is_valid():
                    services.create_role(user, **role_form.cleaned_data)
                    return redirect("people:roles")
            elif kind == "competence":
                competence_form = forms.CompetenceForm(request.POST, prefix="competence")
                if competence_form.is_valid():
                    services.create_competence(user, **competence_form.cleaned_data)
                    return redirect("people:roles")
            elif kind == "requirement":
                requirement_form = forms.RequirementForm(request.POST, prefix="requirement")
                if requirement_form.is_valid():
                    data = requirement_form.cleaned_data
                    services.require_competence(user, data["role"], data["competence"], data["evidence"])
                    return redirect("people:roles")
        except ValidationError as exc:
            target = {"role": role_form, "competence": competence_form}.get(kind or "", requirement_form)
            add_service_errors(target, exc)
    context = {
        "roles": JobRole.objects.prefetch_related("requirements__competence", "assignments__module"),
        "competences": Competence.objects.prefetch_related("modules"),
        "role_form": role_form,
        "competence_form": competence_form,
        "requirement_form": requirement_form,
    }
    return render(request, "people/roles.html", context)


@login_required
def modules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    form = forms.AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.assign_module(user, data["role"], data["module"], data["due_days"])
        messages.success(request, f"{data['module']} assigned to {data['role']}.")
        return redirect("people:modules")
    adopted = set(TrainingModule.objects.exclude(starter_id="").values_list("starter_id", flat=True))
    starter = [m for m in load_starter_modules().modules if m.id not in adopted]
    context = {
        "modules": TrainingModule.objects.prefetch_related("competences", "assignments__role"),
        "starter": starter,
        "form": form,
        "assignments": ModuleAssignment.objects.select_related("role", "module"),
    }
    return render(request, "people/modules.html", context)


@login_required
@require_POST
def adopt(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id") or None
    adopted = services.adopt_starter_modules(_user(request), ids)
    messages.success(request, f"{len(adopted)} starter module{'s' if len(adopted) != 1 else ''} adopted.")
    return redirect("people:modules")


@login_required
def completions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    form = forms.CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_completion(
                user,
                data["person"],
                data["module"],
                data["completed_on"],
                score=data["score"],
                evidence=data["evidence"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Completion recorded.")
            return redirect("people:completions")
    rows = Completion.objects.select_related("person", "module")[:200]
    return render(request, "people/completions.html", {"form": form, "completions": rows})


def _coverage_colour(ratio: float) -> str:
    if ratio >= 0.9:
        return "#2e8540"
    if ratio >= 0.7:
        return "#8cb369"
    if ratio >= 0.4:
        return "#f4a259"
    return "#bc4b51"


def _role_coverage_grid(role_rows: list[tuple[TrainingModule, JobRole, tc.Coverage]]) -> str:
    """Modules (rows) by roles (columns), each cell coloured by the share of that role's people covered."""
    if not role_rows:
        return '<p class="muted">No module is assigned to a role yet.</p>'
    modules = list(dict.fromkeys(m for m, _, _ in role_rows))
    roles = sorted({r for _, r, _ in role_rows}, key=lambda r: r.name)
    cells = {(m.pk, r.pk): c for m, r, c in role_rows}
    rows, labels = [], []
    for module in modules:
        row, row_labels = [], []
        for role in roles:
            cov = cells.get((module.pk, role.pk))
            if cov is None or cov.required == 0:
                row.append((0, "#d9dee5"))
                row_labels.append("-" if cov is None else "n/a")
            else:
                row.append((cov.required, _coverage_colour(cov.ratio)))
                row_labels.append(f"{round(100 * cov.ratio)}%")
        rows.append((_short(module.title), row))
        labels.append(row_labels)
    return heat_grid(
        rows,
        [_short(r.name) for r in roles],
        title="Coverage of each module by role",
        cell_labels=labels,
        label_width=170,
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    state = selectors.training_state()
    gaps = selectors.gaps(today, state)
    module_rows = selectors.module_coverage(today, state)
    departments = tc.coverage_by_department(state, None, today)
    trend = selectors.coverage_trend(state, today, 6)
    overall = tc.coverage(state, today)
    overdue_by_module: dict[str, int] = {}
    for g in gaps.training:
        if g.obligation.status is tc.Status.OVERDUE:
            overdue_by_module[g.module.title] = overdue_by_module.get(g.module.title, 0) + 1
    charts = {
        "modules": percent_bars(
            [(m.title, c.ratio) for m, c in module_rows], title="Coverage of each assigned module"
        ),
        "departments": percent_bars(
            [(d or "(no department)", c.ratio) for d, c in departments.items() if c.required],
            title="Coverage by department",
        ),
        "trend": share_trend(
            [(end.strftime("%b %y"), c.ratio) for end, c in trend], title="Coverage at month ends"
        ),
        "overdue": horizontal_bars(
            [(_short(title), n) for title, n in sorted(overdue_by_module.items())],
            title="People overdue, by module",
        ),
    }
    roles_by_id = JobRole.objects.in_bulk()
    role_rows = [
        (module, roles_by_id[role_id], cov)
        for module, _ in module_rows
        for role_id, cov in tc.coverage_by_role(state, module.pk, today).items()
    ]
    charts["roles"] = _role_coverage_grid(role_rows)
    context = {
        "charts": {k: mark_safe(v) for k, v in charts.items()},  # noqa: S308 - our own escaped SVG
        "gaps": gaps,
        "overall": overall,
        "role_rows": role_rows,
        "today": today,
    }
    return render(request, "people/dashboard.html", context)


def _short(label: str, limit: int = 21) -> str:
    """Fits the label column of horizontal_bars; the full title is in the gaps table."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@login_required
def managers(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    rows = selectors.gaps_by_manager(timezone.localdate())
    return render(request, "people/managers.html", {"rows": rows})
