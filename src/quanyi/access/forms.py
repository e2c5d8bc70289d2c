from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quanyi.access.models import AccountKind
from quanyi.access.roles import LABELS, STAFF, Role
from quanyi.core import labels


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
ROLE_CHOICES = [(r.value, LABELS[r][0]) for r in Role if r in STAFF]
KIND_CHOICES = [(kind.value, str(kind.label)) for kind in AccountKind]


class AddUserForm(forms.Form):
    """A staff account (proposed as a case, with its roles) or an employer, person or
    external account (opened at once with the role of its kind)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial=AccountKind.STAFF, required=False
    )
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)
    region = forms.ChoiceField(label=_("Agency region"), choices=(), required=False)
    organisation = forms.CharField(
        label=_("Organisation (employer, court or unit)"), max_length=200, required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles (staff accounts)"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, regions: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", _("— my region —")), *regions]
        # Kinds and roles by their labels in the user's language, never by their codes.
        kind, roles = self.fields["kind"], self.fields["roles"]
        assert isinstance(kind, forms.ChoiceField) and isinstance(roles, forms.ChoiceField)
        kind.choices = labels.choices("account_kind")
        roles.choices = [(code, text) for code, text in labels.choices("role") if code in STAFF]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(code, text) for code, text in labels.choices("role") if code in STAFF]
