"""The learned sentence classifier: does a sentence report an event, and of which type?

A spaCy ``textcat_multilabel`` (bag of words and word pairs) over the nine
event types, trained by ``make train`` (``training/train.py``) from the
annotated sentences of the development split and shipped as package data in
``data/sentclf/``. It reads the sentence with its actors masked
(:func:`masked`): "Ruritania and Freedonia held drills" reads as "xstate and
xstate held drills", so it learns how events are told, not which countries
cooperate. Without the trained weights the pipeline runs on the rules alone
(and says so).
"""

from __future__ import annotations

import functools
import logging
from importlib import resources

import spacy

from newswatch.transforms.language import actors

log = logging.getLogger(__name__)

MODEL_DIR = "data/sentclf"
# The label for "reports an event of any type", trained beside the nine types: with a few hundred annotated
# sentences, whether a sentence reports an event is learnt far better than which type it is.
ANY = "EVENT"
_MASKS = {actors.COUNTRY: "xstate", actors.CAPITAL: "xstate", actors.FORCE: "xforce", actors.SHIP: "xship",
          actors.ORG: "xorg", actors.DEMONYM: "xnational", "PERSON": "xperson", "DATE": "xdate",
          "CARDINAL": "xnumber", "MONEY": "xmoney", "QUANTITY": "xnumber"}


def masked(sent) -> str:
    """The sentence with every actor, person, date and number replaced by a placeholder word."""
    out = []
    i = sent.start
    doc = sent.doc
    while i < sent.end:
        tok = doc[i]
        if tok.ent_iob_ == "B" and tok.ent_type_ in _MASKS:
            j = i + 1
            while j < sent.end and doc[j].ent_iob_ == "I":
                j += 1
            out.append(_MASKS[tok.ent_type_] + doc[j - 1].whitespace_)
            i = j
            continue
        out.append(tok.text_with_ws)
        i += 1
    return "".join(out).strip()


def model_path():
    return resources.files("newswatch.transforms.language").joinpath(MODEL_DIR)


@functools.cache
def load_classifier():
    """The trained classifier, or None when the package ships no weights."""
    path = model_path()
    if not path.joinpath("config.cfg").is_file():
        log.warning("no trained sentence classifier in %s: extraction runs on its rules alone (run `make train`)",
                    path)
        return None
    return spacy.load(str(path))


def predict(texts: list[str], clf=None) -> list[dict[str, float]]:
    """Per text, {event type: probability}."""
    clf = clf if clf is not None else load_classifier()
    if clf is None or not texts:
        return [{} for _ in texts]
    return [dict(doc.cats) for doc in clf.pipe(texts, batch_size=64)]


_BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
        "no_output_layer": False, "length": 65536}
ARCHITECTURES = {
    "bow": _BOW,
    # the same bag of words beside a small CNN over hashed word features (spaCy's ensemble)
    "ensemble": {"@architectures": "spacy.TextCatEnsemble.v2", "linear_model": _BOW, "nO": None,
                 "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                             "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64,
                                       "rows": [2000, 2000, 1000, 1000], "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX"],
                                       "include_static_vectors": False},
                             "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64,
                                        "window_size": 1, "maxout_pieces": 3, "depth": 2}}},
}


def new_classifier(labels, *, seed: int = 0, architecture: str = "bow"):
    """An untrained multilabel classifier over ``labels`` (``architecture``: a key of :data:`ARCHITECTURES`)."""
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": ARCHITECTURES[architecture]})
    for label in labels:
        textcat.add_label(label)
    return nlp


def train(examples: list[tuple[str, set[str]]], labels, *, epochs: int = 12, seed: int = 0,
          architecture: str = "bow"):
    """Train a classifier on (masked sentence, types) pairs; deterministic for a given seed."""
    import random

    from spacy.training import Example

    nlp = new_classifier(labels, seed=seed, architecture=architecture)
    data = [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab in cats) for lab in labels}})
            for text, cats in examples]
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(data)
        losses: dict = {}
        for batch in spacy.util.minibatch(data, size=16):
            nlp.update(batch, sgd=optimizer, losses=losses, drop=0.1)
    return nlp
