"""The data keys of envelope encryption (``core.crypto``), each wrapped by the master key kept
outside the database. ``master`` names the master key that wraps a row, so a rotation cut short
is finished by whichever key file the rows name (``core.keys``)."""

from __future__ import annotations

from django.db import models


class DataKey(models.Model):
    # The key id every sealed value carries: chosen by ``core.keys``, never by a sequence.
    id = models.PositiveIntegerField(primary_key=True)
    purpose = models.CharField(max_length=8)  # seal | index
    wrapped = models.BinaryField()  # nonce | AES-GCM(master, key), id and purpose authenticated
    master = models.CharField(max_length=16)  # crypto.master_id of the wrapping master key
    created_at = models.DateTimeField()
    wrapped_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"data key {self.pk} ({self.purpose})"
