"""Concord's date formats (the same in English and Welsh: see concord.config.formats)."""

DATE_FORMAT = "j F Y"  # 25 October 2006 / 25 Hydref 2006
DATETIME_FORMAT = "j F Y, H:i"  # 25 October 2006, 14:30
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
