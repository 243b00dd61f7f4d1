"""One rule per proposal kind, each reading a `Sentence` and returning proposals.

The rules are patterns over verbs ("met with", "will visit", "pledged to"), nouns ("workshop",
"letter", "list") and the names and dates already recognized in the sentence; they know
nothing of any particular cable.
"""

from npdesk.extract.events import events, reviews
from npdesk.extract.meetings import firm_dialogues
from npdesk.extract.papers import handovers, letters
from npdesk.extract.undertakings import commitments
from npdesk.extract.visits import visits

# Meetings are not among them: `suggest` reads them first, to date what the other rules
# find in the same paragraph by the meeting it reports.
RULES = (firm_dialogues, events, letters, visits, reviews, handovers, commitments)
