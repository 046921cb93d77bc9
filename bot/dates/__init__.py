"""Date understanding: what people text ("mardi pro", "demain 9h", "غدا", "ghda") → a date range.

dateparser alone misreads SMS text: "je" becomes jeudi, "demain 9h" becomes 19:00, "vendredi 18h"
a past 18th, and "mardi prochain", "بعد غد" or "lundi pro" are not understood at all. So this
package tokenises and normalises the text itself (tokens: accents, SMS spellings, Arabizi, Arabic
clitics and Arabic-Indic digits, typos within one edit, with the word lists of lexicon), reads
relative expressions (weekdays, demain, semaine prochaine, dans 2 semaines…) with its own small
grammar (reader, relative, clock), and hands dateparser only what it is good at
(dateparser_adapter): resolving a canonical absolute date ("3 mars", "29 fevrier 2028") with a
preferred direction in time (future for bookings, nearest or past for expiry dates).

Pure core: no web framework, no database. Dates are computed in Europe/Paris.
"""

from bot.dates.parts_of_day import PartOfDay, in_part_of_day
from bot.dates.tokens import Tok, tokenise
from bot.dates.understanding import (
    DateRequest,
    parse_expiry,
    sets_day_aside,
    understand,
    warm_up,
)

__all__ = [
    "DateRequest",
    "PartOfDay",
    "Tok",
    "in_part_of_day",
    "parse_expiry",
    "sets_day_aside",
    "tokenise",
    "understand",
    "warm_up",
]
