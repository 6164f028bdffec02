"""The endpoint a peer instance posts its deconfliction checks to, under the TAXII API root
(`/taxii2/api/deconfliction/check/`): the peer's bearer token, then its signed envelope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from concord.deconfliction import encoding, federation
from concord.intelligence.models import Peer
from concord.intelligence.taxii import protocol
from concord.organisations.models import User

# A check is a few kilobytes of hashes: anything much larger is refused unread.
MAX_BODY = 64 * 1024


@protocol.endpoint("POST")
def check(request: HttpRequest, user: User) -> HttpResponse:
    """Answer a peer's check with the pointers of what matched here (signed), or a 4xx that
    says why it was refused: not a peer, no secret here, unsigned, tampered, stale, replayed."""
    peer = (
        Peer.objects.filter(account=user, active=True, deconflicts=True)
        .select_related("organisation", "local_organisation", "account")
        .first()
    )
    if peer is None:
        raise protocol.TaxiiError(403, "Forbidden", "Only a peer taking part may check here.")
    if not encoding.configured():
        raise protocol.TaxiiError(
            503, "Not configured", "This instance has no deconfliction federation secret."
        )
    length = request.headers.get("Content-Length", "")
    if not length.isdigit() or int(length) > MAX_BODY:
        raise protocol.TaxiiError(413, "Too large", f"A check is at most {MAX_BODY} bytes.")
    try:
        answer = federation.answer(peer, federation.parse_body(request.body))
    except federation.RefusedError as error:
        federation.refused(peer, user, error)
        raise protocol.TaxiiError(error.status, error.title, error.description) from None
    return protocol.json_response(answer)


__all__ = ["check"]
