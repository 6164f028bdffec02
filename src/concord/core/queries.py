"""The protected queryset: every sensitive model's default manager restricts by person."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from concord.core import policy

M = TypeVar("M", bound=models.Model)


class ProtectedQuerySet(models.QuerySet[M]):
    """`Model.objects.visible_to(user)` and `.restrict(user, action)`, the one chokepoint."""

    def visible_to(self, user: Any) -> ProtectedQuerySet[M]:
        """Only the rows `user` may see under the access policy."""
        return self.filter(policy.visible_q(self.model, policy.viewer_for(user)))

    def restrict(self, user: Any, action: str = policy.VIEW) -> ProtectedQuerySet[M]:
        """Only the rows `user` may perform `action` on (view, change, share, delete)."""
        viewer = policy.viewer_for(user)
        qs = self.filter(policy.visible_q(self.model, viewer))
        if action == policy.VIEW:
            return qs
        return qs.filter(policy.change_q(self.model, viewer))
