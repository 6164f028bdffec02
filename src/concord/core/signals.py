"""Signals the kernel sends; apps above subscribe (monitoring watches the audit trail)."""

from django.dispatch import Signal

# Sent after the transaction that wrote an audit entry commits: kwargs entry=AuditEntry.
audit_entry_committed = Signal()
