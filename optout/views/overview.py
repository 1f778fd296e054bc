"""Overview: the four rules with what is enforced now and this workspace's figures, carrier
registration per number, the opt-outs chart."""

from workspaces.permissions import compliance_manager_required

from .. import charts, content, selectors
from ..forms import (
    SCOPE_CHOICES,
    SIGNATURE_CHOICES,
)
from .common import render_tab

# What to do about a number's registration, in the product's words.
REGISTRATION_ADVICE = {
    ("10dlc", "unregistered"): "Register a 10DLC brand and campaign with Twilio: carriers "
    "filter unregistered long-code traffic.",
    ("10dlc", "pending"): "Waiting for the carriers to approve the campaign; keep volumes low.",
    ("10dlc", "rejected"): "Fix the campaign the carriers rejected and submit it again.",
    ("toll_free", "unregistered"): "Submit a toll-free verification: unverified toll-free "
    "traffic is blocked.",
    ("toll_free", "pending"): "Verification under review.",
    ("toll_free", "rejected"): "Verification rejected: correct it and resubmit.",
    ("short_code", "unregistered"): "Short codes are provisioned with their campaign: ask Twilio.",
}


@compliance_manager_required
def overview(request):
    stats = selectors.compliance_stats(workspace=request.workspace)
    current = selectors.compliance_settings_for(request.workspace)
    actions = current.content_rules or {}
    numbers = [
        {
            "number": n,
            "advice": REGISTRATION_ADVICE.get((n.number_type, n.registration_status), ""),
        }
        for n in request.workspace.phone_numbers.order_by("number")
    ]
    return render_tab(
        request,
        "overview.html",
        "overview",
        stats=stats,
        chart=charts.bar_chart(stats.daily_opt_outs),
        settings=current,
        scope_label=dict(SCOPE_CHOICES)[current.opt_out_scope],
        signature_label=dict(SIGNATURE_CHOICES)[current.signature_mode],
        figures=selectors.rule_figures(workspace=request.workspace),
        reviews=selectors.review_counts(workspace=request.workspace),
        blocked_categories=[
            content.CATEGORY_LABELS[c]
            for c in content.CATEGORIES
            if actions.get(c, content.DEFAULT_ACTION) == content.BLOCK
        ],
        warned_categories=[
            content.CATEGORY_LABELS[c] for c in content.CATEGORIES if actions.get(c) == content.WARN
        ],
        numbers=numbers,
    )
