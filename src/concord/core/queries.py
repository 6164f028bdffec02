"""The restricted queryset: every model that is or shows a protected record restricts by person."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from concord.core import policy

M = TypeVar("M", bound=models.Model)


class ProtectedQuerySet(models.QuerySet[M]):
    """`Model.objects.visible_to(user)` and `.restrict(user, action)`, the one chokepoint.

    A protected record (`ProtectedRecord`) is decided by the policy's rules; a model that shows
    one declares its path (`access = Restricted(...)`, core/restriction.py) and is decided by
    the record at the end of it."""

    def visible_to(self, user: Any) -> ProtectedQuerySet[M]:
        """Only the rows `user` may see under the access policy."""
        return self.filter(policy.visible_q(self.model, policy.viewer_for(user)))

    def restrict(self, user: Any, action: str = policy.VIEW) -> ProtectedQuerySet[M]:
        """Only the rows `user` may perform `action` on (view, change, share, delete)."""
        viewer = policy.viewer_for(user)
        qs = self.filter(policy.visible_q(self.model, viewer))
        if action == policy.VIEW:
            return qs
        from concord.core.restriction import is_protected

        if not is_protected(self.model):
            # Who may change a record that hangs off another is a named action of the policy
            # (plans: change the plan; meetings: chair the forum), checked by its services.
            raise TypeError(f"{self.model.__name__}: use the policy's named action to {action}")
        return qs.filter(policy.change_q(self.model, viewer))


# The same queryset, under the name the declaring models use.
RestrictedQuerySet = ProtectedQuerySet
