"""`concord sync PEER`: pull what the peer shares with us, then push what we share with it,
both over TAXII 2.1 in signed bundles.

Pull walks each collection the peer lets us read, page by page after the last date_added taken
in; each page is verified and ingested in one transaction together with the new cursor, so an
interrupted transfer loses at most the page in flight, which the next sync asks for again.
Push sends the rows of the peer organisation's feed after the push cursor, in signed bundles
the peer ingests whole; the cursor moves only once the peer has answered that it took the
bundle, and a bundle sent twice changes nothing there (ingest is idempotent).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from concord.intelligence import feed, ingest, signing
from concord.intelligence.models import FeedObject, Peer, SyncCursor
from concord.intelligence.taxii import EXCHANGE, STIX, TAXII, stamp

Progress = Callable[[str, int], None]


class SyncError(Exception):
    """The sync stopped; what was taken in before it stays, and the next sync resumes."""


@dataclass
class SyncResult:
    pulled: int = 0
    pushed: int = 0
    pages: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    recalled: list[str] = field(default_factory=list)


class Client:
    def __init__(self, peer: Peer) -> None:
        if not peer.token:
            raise SyncError(f"No token is set for peer {peer.name}: `concord federation token`.")
        self.peer = peer
        self.root = peer.url if peer.url.endswith("/") else peer.url + "/"
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {peer.token}", "Accept": TAXII, "User-Agent": "concord-sync"}
        )

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method, url, timeout=settings.FEDERATION_TIMEOUT, **kwargs
            )
            # Read the whole body here, so a dropped connection shows as an error now.
            _ = response.content
        except requests.RequestException as error:
            raise SyncError(f"The connection to {self.peer.name} failed: {error}") from None
        if response.status_code >= 400:
            try:
                detail = response.json()
                message = f"{detail.get('title')}: {detail.get('description', '')}"
            except ValueError:
                message = response.text[:300]
            raise SyncError(
                f"{self.peer.name} answered {response.status_code} to {method} {url}: {message}"
            )
        return response

    def readable_collections(self) -> list[str]:
        listing = self._call("GET", self.root + "collections/").json()
        ids = [c["id"] for c in listing.get("collections", []) if c.get("can_read")]
        # The exchange collection holds everything shared with us: the group collections are
        # views of it, so only it is walked when the peer is a Concord.
        return [EXCHANGE] if EXCHANGE in ids else ids

    def page(self, collection: str, after: str, limit: int) -> tuple[Any, str, bool]:
        params = {"limit": str(limit)}
        if after:
            params["added_after"] = after
        response = self._call("GET", f"{self.root}collections/{collection}/objects/", params=params)
        try:
            envelope = json.loads(response.content)
        except ValueError:
            raise SyncError(f"{self.peer.name} sent a page that is not JSON.") from None
        last = response.headers.get("X-TAXII-Date-Added-Last", "")
        return envelope, last, bool(envelope.get("more"))

    def add(self, envelope_text: str) -> dict[str, Any]:
        response = self._call(
            "POST",
            f"{self.root}collections/{EXCHANGE}/objects/",
            data=envelope_text.encode(),
            headers={"Content-Type": TAXII},
        )
        body: dict[str, Any] = response.json()
        return body


def _cursor(peer: Peer, direction: str, collection: str) -> SyncCursor:
    cursor, _made = SyncCursor.objects.get_or_create(
        peer=peer, direction=direction, collection=collection, defaults={"position": ""}
    )
    return cursor


def pull(peer: Peer, client: Client, result: SyncResult, progress: Progress | None) -> None:
    """Page by page; the next page is fetched (in one background thread, which alone uses
    the connection) while this one is checked and taken in, so a sync costs the longer of
    the two, not their sum. A page is taken in only after every page before it."""
    size = settings.FEDERATION_PAGE_SIZE
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="concord-sync") as fetcher:
        for collection in client.readable_collections():
            cursor = _cursor(peer, SyncCursor.PULL, collection)
            coming: Future[tuple[Any, str, bool]] | None = fetcher.submit(
                client.page, collection, cursor.position, size
            )
            while coming is not None:
                envelope, last, more = coming.result()
                coming = (
                    fetcher.submit(client.page, collection, last, size) if more and last else None
                )
                try:
                    with transaction.atomic():
                        taken = ingest.ingest(peer, envelope)
                        if last:
                            cursor.position = last
                            cursor.save(update_fields=["position", "updated_at"])
                except ingest.BundleRejectedError as error:
                    if coming is not None:
                        coming.cancel()
                    raise SyncError(
                        f"A page from {peer.name} was rejected whole, nothing of it taken in: "
                        f"{error}"
                    ) from None
                result.pages += 1
                result.pulled += taken.objects
                result.new += taken.new
                result.updated += taken.updated
                result.recalled += taken.recalled
                if progress:
                    progress("pull", taken.objects)


def outbox(peer: Peer) -> Any:
    """What we owe the peer: its organisation's feed as its account may read it, our own
    intelligence only (what came from peers is not passed on)."""
    return feed.readable(peer.account, peer_id=peer.pk)


def push(peer: Peer, client: Client, result: SyncResult, progress: Progress | None) -> None:
    size = settings.FEDERATION_PAGE_SIZE
    cursor = _cursor(peer, SyncCursor.PUSH, EXCHANGE)
    addressing = {
        "x_concord_from": peer.local_organisation.code,
        "x_concord_to": peer.organisation.code,
    }
    while True:
        rows = outbox(peer)
        if cursor.position:
            rows = rows.filter(date_added__gt=cursor.position)
        page: list[FeedObject] = list(
            feed.latest_only(rows).order_by("date_added", "id").only("date_added", "body")[:size]
        )
        if not page:
            return
        text = signing.signed_text(
            feed.envelope_text(
                [r.body for r in page], more=False, next_token=None, extra=addressing
            )
        )
        status = client.add(text)
        if status.get("status") != "complete" or status.get("failure_count"):
            raise SyncError(f"{peer.name} did not take the bundle: {status}")
        cursor.position = stamp(page[-1].date_added)
        cursor.save(update_fields=["position", "updated_at"])
        result.pushed += len(page)
        result.pages += 1
        if progress:
            progress("push", len(page))


def sync(
    peer: Peer, *, do_pull: bool = True, do_push: bool = True, progress: Progress | None = None
) -> SyncResult:
    if not peer.active:
        raise SyncError(f"Peer {peer.name} is not active.")
    client = Client(peer)
    result = SyncResult()
    if do_pull:
        pull(peer, client, result, progress)
    if do_push:
        push(peer, client, result, progress)
    Peer.objects.filter(pk=peer.pk).update(last_synced_at=timezone.now())
    return result


__all__ = ["STIX", "SyncError", "SyncResult", "sync"]
