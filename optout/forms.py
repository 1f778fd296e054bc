"""Forms of the Compliance Center: parse and validate input; the rules live in services."""

import json
import re

from django import forms
from django.urls import reverse_lazy

from compliance_center.phone import InvalidNumber, pretty, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.models import PhoneNumber

from . import content, sending_rules
from .defaults import LANGUAGE_NAMES, MAX_CUSTOM_KEYWORD_LENGTH, OPTIONAL_PACKS
from .models import KeywordKind, OptInSource, OptOutScope, ReplyOverride, SignatureMode

# The product's own words (see the help page): labels differ from the models' short ones.
SCOPE_CHOICES = [
    (OptOutScope.INBOX, "Inbox Opt-Out (carrier-preferred)"),
    (OptOutScope.PHONE_NUMBER, "Phone Number Opt-Out"),
]
SCOPE_HELP = {
    OptOutScope.INBOX: (
        "If a contact opts out on one phone number, they're blocked from every number in your "
        "workspace. Works best for most teams: single standard, fewer compliance mistakes, can "
        "produce better deliverability."
    ),
    OptOutScope.PHONE_NUMBER: (
        "If a contact opts out of messaging from one number, they can still receive texts from "
        "other numbers in your workspace. Use it only when each number serves a distinct "
        "audience or purpose, with separate consent."
    ),
}
SIGNATURE_CHOICES = [
    (SignatureMode.OFF, "Off"),
    (SignatureMode.EVERY_MESSAGE, "Apply to all sent messages (carrier-preferred)"),
    (SignatureMode.FIRST_IN_CONVERSATION, "Include once per conversation"),
]
SIGNATURE_HELP = {
    SignatureMode.OFF: "No opt-out line is added to sent messages.",
    SignatureMode.EVERY_MESSAGE: "Most compliant. Least confusing for recipients.",
    SignatureMode.FIRST_IN_CONVERSATION: (
        "Adds the signature only to the first outbound message in a thread."
    ),
}
SAMPLE_MESSAGE = "Hi Ada, your order #1042 is ready for pickup at our Main St store."
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _reply_field(label: str, help_text: str = "", *, kind: str = "") -> forms.CharField:
    """A reply the workspace edits; with `kind`, its live preview (the text as sent, its
    segments, the editor's warnings) follows every keystroke (views/opt_out.py)."""
    attrs: dict[str, object] = {"rows": 3}
    if kind:
        attrs.update(
            {
                "hx-post": reverse_lazy("compliance:reply-text-preview"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#preview-{kind}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"kind": kind}),
            }
        )
    return forms.CharField(
        label=label,
        max_length=MAX_BODY_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs=attrs),
        error_messages={"required": "Write the text the contact receives."},
    )


class ScopeForm(forms.Form):
    opt_out_scope = forms.ChoiceField(
        label="Opt-out scope", choices=SCOPE_CHOICES, widget=forms.RadioSelect
    )
    confirm_phone_number = forms.BooleanField(
        required=False,
        label="I understand: a contact who opts out on one number can still be texted from the "
        "other numbers of this workspace.",
    )

    def __init__(self, *args, current_scope: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_scope = current_scope

    @property
    def needs_confirmation(self) -> bool:
        return self.current_scope == OptOutScope.INBOX

    def clean(self):
        data = super().clean()
        switching = (
            self.current_scope == OptOutScope.INBOX
            and data.get("opt_out_scope") == OptOutScope.PHONE_NUMBER
        )
        if switching and not data.get("confirm_phone_number"):
            self.add_error(
                "confirm_phone_number",
                "Confirm the switch to Phone Number Opt-Out: tick the box above.",
            )
        return data


class ConfirmationForm(forms.Form):
    opt_out_confirmation_enabled = forms.BooleanField(
        required=False, label="Send an opt-out confirmation"
    )
    opt_out_confirmation_text = _reply_field(
        "Confirmation text",
        "Confirm that the contact has opted out and say how to opt back in (reply START).",
        kind="opt_out",
    )

    def clean_opt_out_confirmation_text(self) -> str:
        return self.cleaned_data["opt_out_confirmation_text"].strip()


class SignatureForm(forms.Form):
    signature_mode = forms.ChoiceField(
        label="Opt-out signature", choices=SIGNATURE_CHOICES, widget=forms.RadioSelect
    )
    signature_text = forms.CharField(
        label="Signature text",
        max_length=160,
        help_text='Keep it short and standard: "Reply STOP to opt out."',
        error_messages={"required": "Write the signature (e.g. “Reply STOP to opt out.”)."},
    )


class SendingRulesForm(forms.Form):
    quiet_hours_enabled = forms.BooleanField(
        required=False, label="Refuse sends during quiet hours"
    )
    quiet_hours_start = forms.TimeField(
        label="Quiet hours start", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_hours_end = forms.TimeField(
        label="Quiet hours end", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    timezone = forms.CharField(
        label="Fallback time zone",
        max_length=64,
        help_text="Quiet hours apply in each contact's own time (their time zone, else their "
        "number's); this zone is used when neither is known, e.g. America/New_York.",
    )
    state_rules_enabled = forms.BooleanField(
        required=False,
        label="Add the stricter windows of state laws (FL, OK, MD, WA 8:00–20:00; TX "
        "Mon–Sat 9:00–21:00, Sun 12:00–21:00), by area code",
    )
    reply_window_hours = forms.IntegerField(
        label="Answer contacts who texted within (hours) at any time",
        min_value=0,
        max_value=168,
        required=False,
    )
    blocked_terms = forms.CharField(
        label="Blocked words and phrases",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. A message containing one (as a whole word) is refused.",
    )

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        if not sending_rules.is_valid_timezone(name):
            raise forms.ValidationError(f"“{name}” is not a time zone (e.g. America/New_York).")
        return name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in content.CATEGORIES:
            self.fields[f"content_{category}"] = forms.ChoiceField(
                label=content.CATEGORY_LABELS[category][:1].upper()
                + content.CATEGORY_LABELS[category][1:],  # "Cannabis or CBD"
                choices=CONTENT_ACTION_CHOICES,
                initial="block",
                required=False,
            )

    def content_fields(self) -> list:
        return [self[f"content_{category}"] for category in content.CATEGORIES]

    def clean_blocked_terms(self) -> str:
        return "\n".join(sending_rules.parse_terms(self.cleaned_data["blocked_terms"]))

    def clean(self):
        data = super().clean()
        data["content_rules"] = {
            category: data.pop(f"content_{category}", "") or "block"
            for category in content.CATEGORIES
        }
        if data.get("reply_window_hours") is None:
            data["reply_window_hours"] = 24
        return data


class ConsentForm(forms.Form):
    consent_required = forms.BooleanField(
        required=False,
        label="Refuse a first text to contacts with no consent on record",
        help_text="Contacts who texted you first can still be answered.",
    )
    double_opt_in_enabled = forms.BooleanField(
        required=False,
        label="Double opt-in: consent recorded by a form, a call, an import or the API is "
        "confirmed by the contact's YES",
    )
    double_opt_in_text = _reply_field(
        "Double opt-in request",
        "{brand} is your workspace's name. Name the brand, what they will get and how often, "
        "“Reply YES to confirm”, STOP and HELP, and “Msg & data rates may apply”.",
        kind="double_opt_in",
    )
    welcome_text = _reply_field(
        "Welcome text",
        "Sent when the contact confirms with YES. {brand} is your name.",
        kind="welcome",
    )
    double_opt_in_expiry_days = forms.IntegerField(
        label="A request without YES expires after (days)", min_value=1, max_value=90
    )


CONTENT_ACTION_CHOICES = [
    ("block", "Block"),
    ("warn", "Send with a warning"),
    ("allow", "Allow"),
]


class PreviewForm(forms.Form):
    """Input of the live signature preview; never saved."""

    signature_mode = forms.ChoiceField(choices=SIGNATURE_CHOICES, required=False)
    signature_text = forms.CharField(max_length=400, required=False, strip=False)
    sample = forms.CharField(max_length=MAX_BODY_LENGTH, required=False, strip=False)


class KeywordAddForm(forms.Form):
    kind = forms.ChoiceField(choices=KeywordKind.choices, widget=forms.HiddenInput)
    # The length is the service's rule (keyword_add says why); the field only stops typing.
    keyword = forms.CharField(
        label="New keyword",
        max_length=64,
        error_messages={"required": "Type the keyword to add."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "maxlength": str(MAX_CUSTOM_KEYWORD_LENGTH)}
        ),
    )
    language = forms.CharField(
        label="Language",
        max_length=16,
        required=False,
        help_text="Optional, e.g. es or fr-CA.",
        widget=forms.TextInput(attrs={"placeholder": "es"}),
    )
    reply_text = forms.CharField(
        label="Reply in that language",
        max_length=MAX_BODY_LENGTH,
        required=False,
        help_text="Optional; blank sends the workspace's default reply.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    EXAMPLES = {"opt_out": "e.g. DETENER", "opt_in": "e.g. ALTA", "help": "e.g. SOCORRO"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        example = self.EXAMPLES.get(self.prefix or "")
        if example:
            self.fields["keyword"].widget.attrs["placeholder"] = example

    def clean_language(self) -> str:
        language = self.cleaned_data["language"].strip()
        if language and not LANGUAGE_RE.match(language):
            raise forms.ValidationError("Use a language code such as es, fr or fr-CA.")
        return language


class RepliesForm(forms.Form):
    opt_in_confirmation_text = _reply_field(
        "Opt-in confirmation",
        "Sent when a contact opts back in (START, YES, UNSTOP…).",
        kind="opt_in",
    )
    help_text = _reply_field("HELP reply", "Sent when a contact texts HELP or INFO.", kind="help")

    def clean(self):
        data = super().clean()
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class NumberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} · {pretty(obj.number)}" if obj.label else pretty(obj.number)


class ManualOptOutForm(forms.Form):
    contact = forms.CharField(
        label="Contact's number",
        max_length=40,
        error_messages={"required": "Type the contact's phone number."},
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "(415) 555-0123"}),
    )
    phone_number = NumberChoiceField(
        label="Opted out on",
        queryset=PhoneNumber.objects.none(),
        empty_label=None,
        help_text="Under Inbox Opt-Out the contact is blocked from every number.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        error_messages={"required": "Give a reason: it is kept in the consent ledger."},
        widget=forms.TextInput(attrs={"placeholder": "Asked by email to stop texting"}),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone_number"].queryset = PhoneNumber.objects.filter(
            workspace=workspace
        ).order_by("number")

    def clean_contact(self) -> str:
        raw = self.cleaned_data["contact"].strip()
        try:
            return to_e164(raw)
        except InvalidNumber as exc:
            raise forms.ValidationError(
                f"“{raw}” is not a valid phone number. Try (415) 555-0123 or +14155550123."
            ) from exc

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Reason for lifting",
        max_length=500,
        error_messages={"required": "Give a reason: an opt-out is only lifted with one."},
        # Not "texted START": that lifts the opt-out by itself (the warning above the field).
        widget=forms.TextInput(attrs={"placeholder": "Asked by email to receive texts again"}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason: an opt-out is only lifted with one.")
        return reason


class BlockListSearchForm(forms.Form):
    q = forms.CharField(label="Search by name, number or label", max_length=60, required=False)


class LanguagePacksForm(forms.Form):
    language_packs = forms.MultipleChoiceField(
        label="Keyword packs beside English",
        choices=[(code, LANGUAGE_NAMES[code]) for code in OPTIONAL_PACKS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReplyOverrideForm(forms.Form):
    kind = forms.ChoiceField(choices=ReplyOverride.Kind.choices, widget=forms.HiddenInput)
    country = forms.CharField(
        label="Country",
        max_length=2,
        required=False,
        help_text="Of the contact's number, e.g. CA.",
        widget=forms.TextInput(attrs={"placeholder": "CA", "autocomplete": "off"}),
    )
    language = forms.CharField(
        label="Language",
        max_length=16,
        required=False,
        help_text="Of the keyword the contact sent, e.g. fr.",
        widget=forms.TextInput(attrs={"placeholder": "fr", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label="Text",
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the text the contact receives."},
    )

    def clean(self):
        data = super().clean()
        if not data.get("country", "").strip() and not data.get("language", "").strip():
            self.add_error("country", "Name a country, a language or both.")
        return data


class ReplyPreviewForm(forms.Form):
    number = forms.CharField(label="Contact's number", max_length=40, required=False)
    keyword = forms.CharField(label="Their text", max_length=64, required=False)


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="Your CRM's address for notifications, e.g. https://crm.example.com/hooks/sms.",
        error_messages={
            "required": "Paste the URL your CRM receives notifications on.",
            "invalid": "Type a whole URL, e.g. https://crm.example.com/hooks/sms.",
        },
        widget=forms.URLInput(attrs={"placeholder": "https://crm.example.com/hooks/sms"}),
    )


class ContactNameForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="Shown instead of the number in the inbox and here; blank shows the number.",
        error_messages={"max_length": "A name has 200 characters at most."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Ada Lovelace"}),
    )


# Where a person recording consent on the contact page may say it was given (the API and
# imports record their own; the contact's own text is a keyword).
PAGE_CONSENT_SOURCES = [
    (value, label)
    for value, label in OptInSource.choices
    if value not in (OptInSource.KEYWORD, OptInSource.API)
]


class ConsentRecordForm(forms.Form):
    source = forms.ChoiceField(
        label="Where they agreed",
        choices=PAGE_CONSENT_SOURCES,
        error_messages={"required": "Say where the contact gave consent."},
    )
    phone_number = NumberChoiceField(
        label="To be texted from",
        queryset=PhoneNumber.objects.none(),
        empty_label=None,
        help_text="Under Inbox Opt-Out consent covers every number of the workspace.",
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": "The words or the form they agreed to, e.g. “Ticked ‘Text me "
                "order updates’ on the checkout form”",
            }
        ),
        error_messages={
            "required": "Record the evidence: the words or the form the contact agreed to."
        },
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone_number"].queryset = PhoneNumber.objects.filter(
            workspace=workspace
        ).order_by("number")


class AuditLogFilterForm(forms.Form):
    """Who, what and when on the Audit log tab (and its CSV); the options come from the log."""

    who = forms.ChoiceField(
        label="Who",
        required=False,
        error_messages={"invalid_choice": "Nobody by that id changed anything here."},
    )
    action = forms.ChoiceField(
        label="What",
        required=False,
        error_messages={"invalid_choice": "No change of that kind is in this log."},
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, who_choices, action_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [("", "Anyone"), *who_choices]
        self.fields["action"].choices = [("", "Any change"), *action_choices]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end comes before the start.")
        return data
