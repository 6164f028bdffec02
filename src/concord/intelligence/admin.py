"""Django admin for operators: sharing groups, and federation peers (registered with
`concord federation add-peer`, which also makes the peer's service account and token)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from concord.intelligence.models import Peer, SharingGroup


@admin.register(SharingGroup)
class SharingGroupAdmin(admin.ModelAdmin[SharingGroup]):
    list_display = ["name", "owner"]
    search_fields = ["name", "owner__code"]
    filter_horizontal = ["organisations"]


class PeerForm(forms.ModelForm[Peer]):
    url = forms.URLField(label="TAXII API root", max_length=300, assume_scheme="https")
    # Our token on the peer is a secret: it can be replaced here, never read back.
    token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep.",
    )

    class Meta:
        model = Peer
        fields = ["url", "public_key", "max_classification", "active", "token"]

    def clean_token(self) -> str:
        token: str = self.cleaned_data.get("token", "")
        return token or (self.instance.token if self.instance.pk else "")


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin[Peer]):
    form = PeerForm
    list_display = [
        "name",
        "organisation",
        "local_organisation",
        "url",
        "max_classification",
        "active",
        "last_synced_at",
    ]
    list_filter = ["active", "max_classification"]
    readonly_fields = ["name", "organisation", "local_organisation", "account", "last_synced_at"]
    fields = [*readonly_fields, *PeerForm.Meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `concord federation add-peer` makes the service account with it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: received intelligence keeps its origin
