"""French formats where Django renders a date or a time by itself (the admin's lists, a
value printed without a filter): « 9 h 30 », not « 09:30 ». Pages and documents use
core.dates (« 1er décembre 2026 à 14 h 26 »), which no format string can write."""

from django.conf.locale.fr.formats import *  # noqa: F403 - Django's, overridden below

TIME_FORMAT = "G\u00a0\\h\u00a0i"  # 9 h 30
DATETIME_FORMAT = "j F Y, G\u00a0\\h\u00a0i"  # 27 novembre 2026, 9 h 30
SHORT_DATETIME_FORMAT = "d/m/Y G\u00a0\\h\u00a0i"
THOUSAND_SEPARATOR = "\u202f"  # narrow no-break space: 1 234
