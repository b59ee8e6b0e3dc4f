"""The selection margins: how much better a more complex law must score to be chosen.

The settle stage and the searches choose by them; a :class:`~discovery.law.law.Law`
states them with its evidence, so they live here, in the room before both.
"""

from __future__ import annotations

# A more complex law must beat a simpler one by this much to be chosen: for
# BIC, 6 is "strong evidence" on Kass and Raftery's scale, so a term fitted
# to a few odd rows does not win on a fraction of a nat.
MARGIN = {"bic": 6.0, "aic": 2.0}
