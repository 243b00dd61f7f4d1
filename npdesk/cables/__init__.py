"""Cable reader: text (raw telegram, 2010 WikiLeaks HTML, text copied from a web page) → `Cable`.

Parsing only: nothing here touches storage or the network.
"""

from npdesk.cables.model import Cable, CableParseError, Paragraph, Recipient, Reference
from npdesk.cables.parser import parse_cable
from npdesk.cables.render import render_telegram
from npdesk.cables.tags import describe_tag, unknown_tags

__all__ = [
    "Cable",
    "CableParseError",
    "Paragraph",
    "Recipient",
    "Reference",
    "describe_tag",
    "parse_cable",
    "render_telegram",
    "unknown_tags",
]
