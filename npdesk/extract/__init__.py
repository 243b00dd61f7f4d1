"""Reading cables for the desk: dates resolved against the cable date and tense, firms and
people recognized, and proposals (meetings, events, letters, visits, reviews, handovers,
commitments) suggested for an officer to accept, edit or reject. Pure: no storage, no web."""

from npdesk.extract.dates import DateMention, cable_day, resolve_dates
from npdesk.extract.entities import EntityMention, Gazetteer, GazetteerEntry
from npdesk.extract.proposals import KINDS, Proposal, ProposalKind
from npdesk.extract.suggest import suggest
from npdesk.extract.tense import Tense, sentence_tense, tense_at

__all__ = [
    "KINDS",
    "DateMention",
    "EntityMention",
    "Gazetteer",
    "GazetteerEntry",
    "Proposal",
    "ProposalKind",
    "Tense",
    "cable_day",
    "resolve_dates",
    "sentence_tense",
    "suggest",
    "tense_at",
]
