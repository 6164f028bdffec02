"""The leak matrix for records that hang off a protected one (transfers, actions,
disruptions, agenda items, decisions, notifications…): whoever may not see the record behind
them never sees them either, in pages, the API, lists, exports, packs (PDF read as text) or
counts, and cannot change them; positive controls show the same surfaces to those entitled.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps

from concord.core import policy
from concord.core.restriction import containers, protected_records
from tests.access.derived import DERIVED, LABEL, _sc
from tests.access.reading import text_of
from tests.access.registry import RECORD_TYPES
from tests.access.test_matrix import REASON, client_for, refused
from tests.factories import persona

pytestmark = pytest.mark.django_db

# Who must not see a Dyfed-Powys record of each marking, and who may.
MARKINGS = {
    # SECRET: dp.lro is Dyfed-Powys's own LRO, vetted only to NPPV3.
    "SECRET": ("SECRET", False, "dp.lro", "dp.cleared"),
    # SENSITIVE: no regional or national reach; the NCA may not see it, its owner may.
    "SENSITIVE": ("OFFICIAL", True, "nca.tasking", "dp.lro"),
}


def person(name: str):
    return _sc() if name == "dp.cleared" else persona(name)


def make(name: str, marking: str):
    classification, sensitive, outsider, entitled = MARKINGS[marking]
    kind = DERIVED[name]
    parent = RECORD_TYPES[kind.parent].make("DYP", classification, sensitive)
    entitled = kind.entitled or entitled
    return kind, parent, kind.make(parent), person(outsider), person(entitled)


@pytest.mark.parametrize("marking", sorted(MARKINGS))
@pytest.mark.parametrize("name", sorted(DERIVED))
def test_a_record_hanging_off_one_is_hidden_wherever_the_one_is(name, marking):
    kind, parent, obj, outsider, entitled = make(name, marking)
    model = apps.get_model(name)
    parent_label = RECORD_TYPES[kind.parent].label(parent)
    assert not model.objects.visible_to(outsider).filter(pk=obj.pk).exists()
    assert not policy.visible(outsider, obj)
    client = client_for(outsider)
    for url in kind.pages(obj):
        assert refused(client.get(url, **REASON)), url
    for url in kind.listings(obj):
        response = client.get(url, **REASON)
        assert response.status_code == 200 or refused(response), url
        shown = text_of(response)
        assert LABEL not in shown, url
        assert parent_label not in shown, url
    for url, payload in kind.writes(obj):
        before = model._base_manager.filter(pk=obj.pk).values().get()
        response = client.post(url, json.dumps(payload), content_type="application/json")
        assert refused(response), (url, response.status_code)
        assert model._base_manager.filter(pk=obj.pk).values().get() == before, url
    # Positive control: the same surfaces show it to someone entitled to the record.
    if kind.personal and entitled.username != "dp.lro":
        return
    assert model.objects.visible_to(entitled).filter(pk=obj.pk).exists()
    assert policy.visible(entitled, obj)
    if kind.shows_label and (kind.pages(obj) or kind.listings(obj)):
        ok = client_for(entitled)
        seen = [
            text_of(r)
            for url in [*kind.pages(obj), *kind.listings(obj)]
            if (r := ok.get(url, **REASON)).status_code == 200
        ]
        assert any(LABEL in text for text in seen), name


AGREEING = ["dp.lro", "dp.cleared", "dp.analyst", "nca.tasking", "tarian.sio", "gmp.lro"]


@pytest.mark.parametrize("name", sorted(DERIVED))
def test_the_list_filter_agrees_with_the_policy_on_each_record_behind(name):
    """The declaration's filter (one query) against the policy's per-object rule (`basis`)
    on every protected record the row reaches, for records of every marking."""
    model = apps.get_model(name)
    for marking in MARKINGS:
        make(name, marking)
    make_official = DERIVED[name]
    make_official.make(RECORD_TYPES[make_official.parent].make("DYP", "OFFICIAL", False))
    rule = model.access
    for who in AGREEING:
        user = person(who)
        listed = set(model.objects.visible_to(user).values_list("pk", flat=True))
        expected = set()
        for row in model._base_manager.all():
            if (
                rule.requires is not None
                and not model._base_manager.filter(
                    rule.requires(policy.viewer_for(user)), pk=row.pk
                ).exists()
            ):
                continue
            if not all(policy.visible(user, box) for box in containers(row)):
                continue
            behind = protected_records(row)
            if (behind or rule.unattached) and all(
                policy.basis(user, record) is not None for record in behind
            ):
                expected.add(row.pk)
        assert listed == expected, (name, who)
