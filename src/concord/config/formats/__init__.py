"""Date and time formats: one date format and one date-time format in every language.

Django's own English (GB) and Welsh formats differ ("25 Oct 2006" against "25 Hydref 2006",
and "2:30 p.m." against a 24-hour clock in police use); pages show dates with `|date` and
date-times with `|date:"DATETIME_FORMAT"`, and these modules make both the same shape in each
language. Formats not named here (input formats, the first day of the week) are Django's.
"""
