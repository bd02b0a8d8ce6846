"""The keyword alert: what a user would set up instead of newswatch, as the baseline its article flags must beat.

An article raises the alert when it holds a defence word, a cooperation word and two named states:
the defence lexicon and the event types' anchors of ``data/events.toml`` and the gazetteer's state names,
matched as plain keywords anywhere in the title and text, with no parse and no model. ``newswatch eval``
reports its article accuracy beside the extractor's (issue 8 asks for 15 points more).
"""

from __future__ import annotations

from newswatch.transforms.language.extraction import prefilter, rules


def keyword_alert(title: str | None, text: str) -> bool:
    """A defence word, a cooperation word and two named states, anywhere in the article."""
    full = f"{title or ''}\n{text}"
    c = rules.cues()
    return bool(c.lexicon["defence"].search(full) and any(rule.anchors.search(full) for rule in c.types)
                and len(prefilter.states_named(full)) >= 2)
