"""Two-factor sign-in with a time-based one-time password (TOTP) app: enrol, then verify."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.core import audit
from concord.core.models import AuditAction


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the 6-digit code shown in your app.")},
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code (or type the key), then confirm a code."""
    user = request.user
    if any(True for _ in devices_for_user(user, confirmed=True)):
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record(
                AuditAction.UPDATE, actor=user, obj=user, detail={"two_factor": "enrolled"}
            )
            return redirect(_next(request))
        form.add_error(
            "code",
            _("That code is not right. Check the time on your phone and enter the newest code."),
        )
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "organisations/two_factor_enrol.html",
        {
            "form": form,
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "qr": _qr_svg(device.config_url),
            "next": _next(request),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the current code to finish signing in."""
    user = request.user
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect("two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        device = next((d for d in devices if d.verify_token(code)), None)
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        audit.record(
            AuditAction.SIGN_IN_FAILED,
            actor=user,
            detail={"username": user.username, "why": "two_factor"},
        )
        form.add_error("code", _("That code is not right. Enter the newest code from your app."))
    return render(
        request, "organisations/two_factor_verify.html", {"form": form, "next": _next(request)}
    )
