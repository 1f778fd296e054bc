"""Forms of sign-up, invitations and the Settings pages: parse input and say what is wrong at the
field, in the product's words; the rules themselves live in the services."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import SetPasswordForm

from compliance_center import time_zones
from compliance_center.phone import InvalidNumber, to_e164

from .models import Role

ROLE_HELP = {
    Role.ADMIN: "Everything, including Settings, members and API tokens.",
    Role.MANAGER: "The inbox and the Compliance Center; reads Settings.",
    Role.AGENT: "The inbox only.",
}


def _email_field(label: str = "Email") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages={
            "required": "Type an email address.",
            "invalid": "Type a whole email address, e.g. ada@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "ada@example.com"}),
    )


class NewPasswordMixin:
    """Two password fields checked with the project's validators (AUTH_PASSWORD_VALIDATORS)."""

    def _password_fields(self) -> None:
        self.fields["password"] = forms.CharField(
            label="Password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=" ".join(password_validation.password_validators_help_texts()),
            error_messages={"required": "Choose a password."},
        )
        self.fields["password2"] = forms.CharField(
            label="Password again",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            error_messages={"required": "Type the password a second time."},
        )

    def clean_password_pair(self, email: str) -> None:
        data = self.cleaned_data
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", "The two passwords differ: type the same one twice.")
            return
        if password:
            try:
                password_validation.validate_password(
                    password, get_user_model()(username=email, email=email)
                )
            except forms.ValidationError as exc:
                self.add_error("password", exc)


class SignupForm(NewPasswordMixin, forms.Form):
    email = _email_field("Your work email")
    workspace_name = forms.CharField(
        label="Workspace name",
        max_length=200,
        help_text="Usually your business's name; you can change it later in Settings.",
        error_messages={"required": "Name your workspace (e.g. your business's name)."},
        widget=forms.TextInput(
            attrs={"placeholder": "Acme Dental", "autocomplete": "organization"}
        ),
    )

    # Filled by static/js/app.js with the browser's time zone; without JavaScript: UTC.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._password_fields()
        self.order_fields(["email", "password", "password2", "workspace_name", "time_zone"])

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        return name if time_zones.is_valid_time_zone(name) else time_zones.DEFAULT

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        self.clean_password_pair(data.get("email") or "")
        return data


class AcceptInvitationForm(NewPasswordMixin, forms.Form):
    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self._password_fields()

    def clean(self):
        data = super().clean()
        self.clean_password_pair(self.email)
        return data


class GeneralForm(forms.Form):
    name = forms.CharField(
        label="Workspace name",
        max_length=200,
        error_messages={"required": "Give the workspace a name."},
    )
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="Dates on every page are shown in this time zone. Type a city, e.g. "
        "America/New_York, America/Chicago, Europe/London, or UTC.",
        error_messages={"required": "Choose a time zone, e.g. America/New_York or UTC."},
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if not time_zones.is_valid_time_zone(name):
            raise forms.ValidationError(
                f"“{name}” is not a time zone: pick one from the list, e.g. America/New_York."
            )
        return name


class PhoneNumberAddForm(forms.Form):
    number = forms.CharField(
        label="Phone number",
        max_length=40,
        help_text="The number as Twilio shows it, with its country code (E.164): +14155550100.",
        error_messages={"required": "Type the phone number to add."},
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+1 415 555 0100"}),
    )
    label = forms.CharField(
        label="Label",
        max_length=100,
        required=False,
        help_text="Optional: what the number is for, e.g. Sales or Support.",
        widget=forms.TextInput(attrs={"placeholder": "Sales"}),
    )

    def clean_number(self) -> str:
        raw = self.cleaned_data["number"].strip()
        try:
            return to_e164(raw)
        except InvalidNumber as exc:
            raise forms.ValidationError(
                f"“{raw}” is not a valid phone number: type it with its country code, "
                "e.g. +1 415 555 0100."
            ) from exc


class PhoneNumberLabelForm(forms.Form):
    label = forms.CharField(
        label="Label",
        max_length=100,
        required=False,
        help_text="What the number is for, shown in the inbox. Leave empty for none.",
    )


class TwilioForm(forms.Form):
    account_sid = forms.CharField(
        label="Account SID",
        max_length=64,
        help_text="Starts with AC: Twilio Console → Account Info.",
        error_messages={"required": "Paste your Account SID (it starts with AC)."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "AC…"}
        ),
    )
    auth_token = forms.CharField(
        label="Auth Token",
        max_length=128,
        required=False,
        strip=True,
        help_text="Write-only: stored encrypted and never shown again. Leave empty to keep the "
        "current one.",
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "spellcheck": "false"}, render_value=False
        ),
    )

    def __init__(self, *args, credentials_set: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not credentials_set:
            self.fields[
                "auth_token"
            ].help_text = (
                "Twilio Console → Account Info. Write-only: stored encrypted and never shown again."
            )

    def clean_account_sid(self) -> str:
        return self.cleaned_data["account_sid"].strip()


ROLE_CHOICES = [(role.value, role.label) for role in Role]


class InviteForm(forms.Form):
    email = _email_field("Email")
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        initial=Role.AGENT,
        error_messages={"invalid_choice": "Choose Admin, Manager or Agent."},
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        error_messages={
            "required": "Choose Admin, Manager or Agent.",
            "invalid_choice": "Choose Admin, Manager or Agent.",
        },
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What will use it, e.g. “CRM sync” or “Website sign-up form”.",
        error_messages={"required": "Name the token after what will use it (e.g. “CRM sync”)."},
        widget=forms.TextInput(attrs={"placeholder": "CRM sync", "autocomplete": "off"}),
    )


class NewPasswordForm(SetPasswordForm):
    """The password-reset form: the validators' messages at the new password itself (Django's
    own form puts them under the confirmation), the mismatch at the confirmation."""

    def clean(self):
        password = self.cleaned_data.get("new_password1")
        again = self.cleaned_data.get("new_password2")
        if password and again and password != again:
            self.add_error("new_password2", "The two passwords differ: type the same one twice.")
        elif password:
            self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data
