from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quanyi.access.roles import LABELS, STAFF, Role


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    otp = forms.CharField(
        label=_("One-time code (if required)"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    repeat = forms.CharField(label=_("Repeat the new password"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("repeat"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


# Staff roles only: they are what an access.grant case grants.
ROLE_CHOICES = [(r.value, f"{LABELS[r][0]} · {r.value}") for r in Role if r in STAFF]


class AddUserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)
    region = forms.CharField(label=_("Agency region"), max_length=6, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
