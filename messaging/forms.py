"""Forms of the inbox and the phone simulator: parse and validate input, no rules beyond that."""

from django import forms

from compliance_center.phone import InvalidNumber, pretty, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.models import PhoneNumber

NUMBER_HELP = "Any common format: (415) 555-0123, 415.555.0123, +44 20 7946 0958."


def _number_choices(workspace):
    return PhoneNumber.objects.filter(workspace=workspace).order_by("number")


class NumberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} · {pretty(obj.number)}" if obj.label else pretty(obj.number)


def _contact_number(raw: str) -> str:
    try:
        return to_e164(raw.strip())
    except InvalidNumber as exc:
        raise forms.ValidationError(
            f"“{raw.strip()}” is not a valid phone number. {NUMBER_HELP}", code="invalid_number"
        ) from exc


class InboxFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    number = forms.IntegerField(required=False)
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Everyone"), ("opted_out", "Opted out"), ("active", "Not opted out")],
    )


BODY_ERRORS = {
    "required": "Write a message first.",
    "max_length": f"Too long: {MAX_BODY_LENGTH} characters at most, signature included.",
}


class ComposeForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH,
        strip=False,
        error_messages=BODY_ERRORS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Write a message…"}),
    )


class NewConversationForm(forms.Form):
    from_number = NumberChoiceField(queryset=PhoneNumber.objects.none(), empty_label=None)
    to = forms.CharField(
        max_length=40,
        label="To",
        error_messages={"required": "Type the contact's phone number."},
        help_text=NUMBER_HELP,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "placeholder": "(415) 555-0123"}
        ),
    )
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH,
        strip=False,
        error_messages=BODY_ERRORS,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a message…"}),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_number"].queryset = _number_choices(workspace)
        self.fields["from_number"].label = "From"

    def clean_to(self) -> str:
        return _contact_number(self.cleaned_data["to"])


class AgentOptOutForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        initial="Contact asked by phone to stop",
        help_text="Recorded in the consent ledger with your name.",
    )


class SimulatorForm(forms.Form):
    contact = forms.CharField(
        max_length=40,
        label="Your phone (the contact)",
        help_text=NUMBER_HELP,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "list": "sim-contacts"}
        ),
    )
    number = forms.ChoiceField(label="Texting the workspace number")
    body = forms.CharField(
        max_length=MAX_BODY_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Text message"}),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [
            (n.number, f"{n.label} · {pretty(n.number)}" if n.label else pretty(n.number))
            for n in _number_choices(workspace)
        ]
        # The phone's settings sit outside the <form> that the send answer replaces.
        for name in ("contact", "number"):
            self.fields[name].widget.attrs["form"] = "sim-form"

    def clean_contact(self) -> str:
        return _contact_number(self.cleaned_data["contact"])

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Type a text to send.")
        return body
