"""Reading untrusted upstream XML: one parser configuration, and text that survives entities.

Feeds come from the network, so entities are never resolved (no external entity, no file, no
network, no billion laughs) and comments are dropped. An entity reference lxml leaves
unresolved becomes a child node, and ``findtext`` returns only the text before it: a title
``XXE &xxe; reinforcement learning`` would be stored as ``XXE``. ``element_text`` keeps all of
it, the reference as written (``&xxe;``) included, so nothing is lost and nothing is expanded.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree


def untrusted_xml_parser() -> etree.XMLParser:
    """A parser for bodies from the network: no entity resolution, no network, no comments."""
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def element_text(element: etree._Element) -> str:
    """All the text inside ``element`` (children's too), unresolved entity references as
    written; ``""`` when it has none."""
    if len(element):
        return "".join(text for text in element.itertext() if isinstance(text, str))
    return element.text or ""


def find_text(
    parent: etree._Element, path: str, namespaces: Mapping[str, str] | None = None
) -> str | None:
    """``parent.findtext(path)`` that keeps the text after an unresolved entity reference."""
    found = parent.find(path, namespaces=namespaces)
    return None if found is None else element_text(found)
