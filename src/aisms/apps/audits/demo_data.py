"""Demo audits for Helixa Health: a three-year programme, a completed AI-focused internal audit with two
nonconformities (one closed after an effective corrective action, one with an action due soon), a
planned audit and a held management review with its decisions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.audits import services
from aisms.apps.audits.models import (
    AuditProgramme,
    ChecklistItem,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    ManagementReview,
    Nonconformity,
)

RESULTS = {
    "iso27001:2022:6.1.1": (
        ChecklistResult.CONFORMING,
        "Risks and opportunities register reviewed; AI adoption listed.",
    ),
    "iso27001:2022:6.1.2": (
        ChecklistResult.CONFORMING,
        "Risk method v1 applied consistently to the Triage Assistant and ClaimGuard risks.",
    ),
    "iso27001:2022:6.1.3": (
        ChecklistResult.MINOR_NC,
        "The treatment plan for the prompt-injection risk of the Triage Assistant names input filtering, but "
        "the SoA does not show the related control as called for; plan and SoA disagree.",
    ),
    "iso27001:2022:8.1": (
        ChecklistResult.CONFORMING,
        "Change records for the model release pipeline sampled (5).",
    ),
    "iso27001:2022:8.2": (
        ChecklistResult.OBSERVATION,
        "Risk assessment was repeated after the model-provider change; the record does not say what changed.",
    ),
    "iso27001:2022:8.3": (ChecklistResult.CONFORMING, "Treatment actions tracked with owners and due dates."),
    "iso27002:2022:5.7": (ChecklistResult.CONFORMING, "ATLAS-based threat intelligence reviewed monthly."),
    "iso27002:2022:5.21": (
        ChecklistResult.MINOR_NC,
        "The hosted foundation-model API provider was onboarded without the supplier security assessment "
        "the ICT supply chain procedure requires.",
    ),
    "iso27002:2022:8.28": (
        ChecklistResult.OFI,
        "Secure coding rules could add checks for unsafe handling of LLM output (e.g. rendering it as HTML).",
    ),
}


def load_demo_audits(amira: User) -> None:
    if AuditProgramme.objects.exists():
        return
    tom = User.objects.get(username="tom")
    daniel = User.objects.get(username="daniel")
    sofia = User.objects.get(username="sofia")
    today = timezone.localdate()
    programme = services.create_programme(
        amira,
        title=f"Internal audit programme {today.year}-{today.year + 2}",
        start_year=today.year,
        cycle_years=3,
        objectives=(
            "Audit every clause and every applicable Annex A control at least once in three years; "
            "audit the AI supply chain and AI development controls every year (risks above appetite)."
        ),
        high_risk_uids=["iso27002:2022:5.21", "iso27002:2022:8.28"],
        owner=amira,
    )
    start = today - timedelta(days=60)
    audit = services.create_audit(
        tom,
        title="AI development and AI supply chain",
        programme=programme,
        scope="Risk treatment for the Triage Assistant and ClaimGuard; model release pipeline; AI suppliers.",
        clause_uids=["iso27001:2022:6.1", "iso27001:2022:8"],
        control_uids=["iso27002:2022:5.7", "iso27002:2022:5.21", "iso27002:2022:8.28"],
        criteria="ISO/IEC 27001:2022; Helixa secure development policy; AI acceptable-use policy.",
        lead_auditor=tom,
        auditors=[tom],
        planned_start=start,
        planned_end=start + timedelta(days=3),
    )
    services.transition_audit(tom, audit, "in-progress", today=start)
    for item in ChecklistItem.objects.filter(audit=audit):
        result, notes = RESULTS.get(item.uid, (ChecklistResult.CONFORMING, "Sampled; no issue found."))
        services.record_result(
            tom, item, result=result, notes=notes, evidence_refs="Interviews, records sampled"
        )
    ncs = {}
    for finding in Finding.objects.filter(audit=audit, kind="nc").order_by("pk"):
        ncs[finding.uid] = services.raise_from_finding(tom, finding)
    services.update_audit(
        tom,
        audit,
        report_summary=(
            "The AI risk treatment process works and is owned. Two minor nonconformities: the SoA does not "
            "reflect one AI treatment decision, and a foundation-model provider skipped supplier assessment. "
            "One observation and one opportunity for improvement in secure coding for LLM output."
        ),
    )
    services.transition_audit(tom, audit, "reported", today=start + timedelta(days=3))
    services.transition_audit(tom, audit, "closed", today=start + timedelta(days=3))

    supplier_nc = ncs["iso27002:2022:5.21"]
    services.update_nonconformity(
        amira,
        supplier_nc,
        owner=daniel,
        due_date=start + timedelta(days=30),
        root_cause_category="process",
        root_cause=(
            "Why was the provider not assessed? It was bought on a credit card for a pilot.\n"
            "Why did the pilot skip procurement? The procedure only triggers on purchase orders.\n"
            "Why only purchase orders? AI API subscriptions were not foreseen when it was written."
        ),
        containment="The provider was assessed retrospectively; no special-category data had been sent.",
    )
    action = services.add_corrective_action(
        amira,
        supplier_nc,
        description="Extend the supplier procedure to every AI/API subscription, whatever the payment route.",
        owner=daniel,
        due_date=start + timedelta(days=30),
    )
    services.complete_corrective_action(
        daniel,
        action,
        evidence_note="Procedure SUP-02 v3 approved; finance flags card payments to AI vendors.",
    )
    # done three weeks after the audit, before its due date (the demo story lies in the past)
    CorrectiveAction.objects.filter(pk=action.pk).update(done_at=timezone.now() - timedelta(days=40))
    services.record_effectiveness_review(
        amira, supplier_nc, effective=True, notes="Two new AI subscriptions since were assessed before use."
    )
    services.transition_nonconformity(amira, supplier_nc, "closed")

    soa_nc = ncs["iso27001:2022:6.1.3"]
    services.update_nonconformity(
        amira,
        soa_nc,
        owner=sofia,
        due_date=today + timedelta(days=5),
        root_cause_category="documentation",
        root_cause=(
            "Why do plan and SoA disagree? The treatment action was added after the SoA was approved.\n"
            "Why was the SoA not updated? Nobody re-approves the SoA when treatment actions change."
        ),
    )
    services.add_corrective_action(
        amira,
        soa_nc,
        description="Re-approve the SoA after treatment plan changes; add it to the risk review checklist.",
        owner=sofia,
        due_date=today + timedelta(days=5),
    )
    Nonconformity.objects.filter(pk__in=[n.pk for n in ncs.values()]).update(
        raised_at=timezone.now() - timedelta(days=57)
    )

    services.create_audit(
        amira,
        title="Support and performance evaluation; people controls",
        programme=programme,
        scope="Competence and awareness (AI risk training too), documented information, monitoring.",
        clause_uids=["iso27001:2022:7", "iso27001:2022:9"],
        control_uids=["iso27002:2022:6.3", "iso27002:2022:5.10"],
        criteria="ISO/IEC 27001:2022; training policy; AI acceptable-use policy.",
        lead_auditor=tom,
        auditors=[tom],
        planned_start=today + timedelta(days=10),
        planned_end=today + timedelta(days=12),
    )

    review = services.create_review(
        amira,
        title=f"Management review {today.year} H1",
        date=today - timedelta(days=20),
        attendees=(
            "Chief executive\nChief technology officer\nAmira Okafor (ISMS manager)\n"
            "Daniel Reyes (risk owner)"
        ),
        feedback=[
            "Two insurer customers asked for evidence of AI model governance in security questionnaires.",
            "The data protection authority's guidance on generative AI in health care was published.",
        ],
    )
    services.update_review(
        amira,
        review,
        minutes=(
            "The board reviewed the pack. AI supply chain risk remains above appetite until the "
            "foundation-model provider's contract includes change notification. Audit results were accepted."
        ),
    )
    services.add_decision(
        amira,
        review,
        decision="Fund an external AI red-team exercise on the Triage Assistant.",
        kind="resource",
        owner=daniel,
        due_date=today + timedelta(days=60),
    )
    services.add_decision(
        amira,
        review,
        decision="Bring every AI API subscription under the supplier procedure.",
        kind="change",
        owner=amira,
        due_date=today - timedelta(days=5),
        status="done",
    )
    services.transition_review(amira, review, "held")
    ManagementReview.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(days=20))
