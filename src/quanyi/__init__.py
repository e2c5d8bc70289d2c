"""quanyi (权益): system of record for social insurance personal rights records."""

__version__ = "0.1.0"
