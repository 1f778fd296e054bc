"""Pages for people without a workspace yet: sign-up, accepting an invitation, password reset
(Django's views, in the product's look, their emails through EMAIL_URL)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from compliance_center.errors import DomainError

from . import accounts
from .forms import AcceptInvitationForm, NewPasswordForm, SignupForm
from .middleware import SESSION_KEY
from .settings_views.common import error_to_form

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _log_in(request, membership) -> None:
    login(request, membership.user, backend=MODEL_BACKEND)
    request.session[SESSION_KEY] = membership.workspace_id


def signup(request):
    """ "Create an account": a user, their workspace (they are its Admin), logged in, and on to
    Settings to finish setting it up."""
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed: ask an Admin for an invitation.")
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = accounts.account_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                workspace_name=form.cleaned_data["workspace_name"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            _log_in(request, membership)
            flash.success(
                request, f"Welcome! {membership.workspace.name} is ready: finish setting it up."
            )
            return redirect("settings:general")
    return render(request, "registration/signup.html", {"form": form})


def invitation(request, token: str):
    """An invitation link: a visitor sets a password and joins, a logged-in user with the
    invited email joins; a link that was used, revoked or has expired says so."""
    found = accounts.invitation_for_token(token)
    context = {"invitation": found}
    if found is None:
        return render(
            request,
            "registration/invitation.html",
            {**context, "refusal": accounts.NOT_VALID},
            status=404,
        )
    refusal = accounts.invitation_refusal(found)
    if refusal:
        return render(
            request,
            "registration/invitation.html",
            {**context, "refusal": refusal.detail},
            status=410,
        )
    user = request.user if request.user.is_authenticated else None
    if user is not None and (user.email or "").lower() != found.email:
        context["wrong_email"] = True
        return render(request, "registration/invitation.html", context, status=403)
    has_account = user is None and accounts.has_password(found.email)
    form = None
    if user is None and not has_account:
        form = AcceptInvitationForm(request.POST or None, email=found.email)
    if request.method == "POST" and not has_account and (form is None or form.is_valid()):
        try:
            membership = accounts.invitation_accept(
                raw_token=token,
                user=user,
                password=form.cleaned_data["password"] if form is not None else "",
            )
        except DomainError as exc:
            if form is not None:
                error_to_form(form, exc)
            else:
                context["refusal"] = exc.detail
        else:
            _log_in(request, membership)
            flash.success(
                request,
                f"You joined {membership.workspace.name} as {membership.get_role_display()}.",
            )
            return redirect("home")
    context.update(form=form, has_account=has_account, role=found.get_role_display())
    return render(request, "registration/invitation.html", context)


class PasswordReset(auth_views.PasswordResetView):
    """The reset email links to PUBLIC_BASE_URL (the site's public origin), whatever host the
    request came through."""

    def form_valid(self, form):
        base = urlsplit(settings.PUBLIC_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_name": "Compliance Center"},
            request=self.request,
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")
