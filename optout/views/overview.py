"""Overview: the four rules, this workspace's figures, the opt-outs chart."""

from workspaces.permissions import compliance_manager_required

from .. import charts, selectors
from ..forms import (
    SCOPE_CHOICES,
    SIGNATURE_CHOICES,
)
from .common import render_tab


@compliance_manager_required
def overview(request):
    stats = selectors.compliance_stats(workspace=request.workspace)
    current = selectors.compliance_settings_for(request.workspace)
    return render_tab(
        request,
        "overview.html",
        "overview",
        stats=stats,
        chart=charts.bar_chart(stats.daily_opt_outs),
        settings=current,
        scope_label=dict(SCOPE_CHOICES)[current.opt_out_scope],
        signature_label=dict(SIGNATURE_CHOICES)[current.signature_mode],
    )
