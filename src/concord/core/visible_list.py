"""A list of the rows a person may see, in order, read a page at a time: for lists of a model
seen only as its owner's own rows and those shared (intelligence).

Such a list is the union of two sets: the reader's organisation's own rows, and the rows
shared with them. As one query (`visible_to(user).order_by(...)[a:b]`) PostgreSQL cannot
push the order and the limit into the union, so at a million reports it read every report to
test it against some 37,000 visible ids, then sorted them, for 50 rows. Here each arm gives
only its own first `b` rows in order (the owner's from an index of owner and order; the shared
from the shared ids), the two are merged, and the page's rows are read by id. The count is the
own arm's and that of the shared rows it does not hold. Anything else (other models, other
readers, an order with mixed directions) is the ordinary queryset. Order fields must not be
null (information_date, id).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.db.models import Q

from concord.core import policy


class VisibleList:
    """What `model.objects.visible_to(user).filter(where).order_by(*order)` gives, with
    `select_related`, as a sequence for Django's Paginator and django-ninja's pagination
    (`count()`, slicing, iteration)."""

    def __init__(
        self,
        user: Any,
        model: type[models.Model],
        *,
        where: Q | None = None,
        order_by: Sequence[str],
        select_related: Sequence[str] = (),
    ) -> None:
        self.model = model
        self.where = where if where is not None else Q()
        self.order_by = tuple(order_by)
        self.select_related = tuple(select_related)
        self.queryset: models.QuerySet[Any] = (
            model.objects.visible_to(user)  # type: ignore[attr-defined]
            .filter(self.where)
            .select_related(*self.select_related)
            .order_by(*self.order_by)
        )
        directions = {name.startswith("-") for name in self.order_by}
        self.arms = policy.visible_arms(user, model, self.where) if len(directions) == 1 else None
        self.descending = directions == {True}
        self.keys = [name.lstrip("-") for name in self.order_by]
        self._count: int | None = None

    def all(self) -> VisibleList:
        return self

    def count(self) -> int:
        if self._count is None:
            if self.arms is None:
                self._count = self.queryset.count()
            else:
                # The own arm, and the shared rows it does not hold: no union to de-duplicate.
                self._count = self.arms.own.count() + self.arms.shared_only.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.queryset)

    def iterator(self, chunk_size: int = 2000) -> Iterator[Any]:
        return self.queryset.iterator(chunk_size=chunk_size)

    def __getitem__(self, key: slice | int) -> Any:
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop = key.start or 0, key.stop
        if self.arms is None or stop is None or key.step is not None or start < 0 or stop < 0:
            return list(self.queryset[key])
        if stop <= start:
            return []
        heads: dict[Any, tuple[Any, ...]] = {}
        for arm in (self.arms.own, self.arms.shared):
            for row in arm.order_by(*self.order_by).values_list(*self.keys, "pk")[:stop]:
                heads[row[-1]] = row
        ordered = sorted(heads.values(), reverse=self.descending)
        pks = [row[-1] for row in ordered[start:stop]]
        # The ids came from the two arms, each through the policy: read the rows by id alone.
        rows = self.model._base_manager.select_related(*self.select_related).in_bulk(pks)
        return [rows[pk] for pk in pks if pk in rows]
