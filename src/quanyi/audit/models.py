from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only


@append_only
class AuditEvent(models.Model):
    """One link of the hash chain. ``hash = sha256(canonical(all other fields))``.

    ``digest`` is the Merkle root of the digests of the rows this event wrote (``rows`` of them;
    for one row it is that row's digest). ``prior_seq``/``prior_digest`` name the version of the
    row that a single-row change replaced, so verification can still account for it.
    """

    seq = models.BigIntegerField(primary_key=True)
    time = models.DateTimeField()
    actor = models.CharField(max_length=150)
    source = models.CharField(max_length=8)
    request_id = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True, default="")
    rows = models.IntegerField(default=0)
    result = models.CharField(max_length=16, default="ok")
    digest = models.CharField(max_length=64, blank=True, default="")
    prior_seq = models.BigIntegerField(null=True, blank=True)
    prior_digest = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["time"], name="audit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_id}"
