"""Score pipeline output against a gold file (shared/gold/FORMAT.md).

Plain functions, no Beam and no command line: ``newswatch eval`` replays the
articles into a scratch database, calls :func:`predictions_from_db` on it and
then :func:`score` / :func:`score_by_threshold` / :func:`format_report`.

Rules (FORMAT.md is authoritative; the choices it leaves open are marked
"Interpretation" and repeated in the docstrings below):

* Predictions of an article are the distinct ``events.event_id`` with a mention
  in it.
* Compatible = type is the gold ``type`` or in ``alt_types``; participants pass
  the participants rule; dates compatible (either side null, one period contains
  the other, or compatible in the same way with a ``date_alt`` entry).
* Pairing is one to one, by a maximum-weight bipartite matching per article whose
  weights are lexicographic: (1) as many pairs with *required* gold events as
  possible; (2) among those, as many exact-date required pairs as possible;
  (3) then as many pairs of the remaining predictions with *non-required* gold
  events as possible (those predictions are ignored, neither TP nor FP);
  (4) a last tie-breaker prefers higher-confidence predictions.
* A prediction paired with a required gold event is a TP, paired with a
  non-required one is ignored, unpaired is a FP; an unpaired required gold event
  is a FN.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Mapping, Sequence

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator,
                      model_validator)

from newswatch.schemas import event_types
from newswatch.transforms.language.actors import is_state

__all__ = [
    "EVENT_TYPES",
    "Prediction",
    "PredictionSet",
    "TypeScores",
    "Match",
    "FalsePositive",
    "FalseNegative",
    "ArticleFlag",
    "MergeFailure",
    "Report",
    "load_gold",
    "predictions_from_db",
    "score",
    "score_by_threshold",
    "format_report",
    "report_to_dict",
    "compatible",
    "date_compatible",
    "date_exact",
    "participants_ok",
]

# The nine event types: one list, in schemas/taxonomy.toml.
EVENT_TYPES: tuple[str, ...] = event_types()

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)

_PRECISION_RANK = {"year": 1, "month": 2, "day": 3}
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# --------------------------------------------------------------------------
# data classes


@dataclass(frozen=True)
class Prediction:
    event_id: str
    event_type: str
    participants: tuple[str, ...]
    event_date: datetime.date | None
    date_precision: str | None  # 'day'|'month'|'year'|None
    evidence: str | None = None  # one evidence sentence of this article
    confidence: float = 1.0


class PredictionSet(dict):
    """``dict[origin, list[Prediction]]`` that also carries ``urls``.

    ``urls`` maps ``articles.url`` to the key (origin) of the same article, so
    a gold line whose ``file`` matches no origin can still be matched on its
    ``url``.  :func:`score` uses it when no explicit ``urls`` is passed.
    """

    def __init__(self, *args: Any, urls: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.urls: dict[str, str] = dict(urls or {})


@dataclass(frozen=True)
class TypeScores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float = 1.0
    recall: float = 1.0
    f1: float = 1.0


@dataclass(frozen=True)
class Match:
    """A true positive: prediction ``event_id`` paired with gold ``gold_id``."""

    article: str
    gold_id: str
    event_id: str
    gold_type: str
    predicted_type: str
    gold_date: str | None
    predicted_date: datetime.date | None
    predicted_precision: str | None
    date_exact: bool
    confidence: float


@dataclass(frozen=True)
class FalsePositive:
    article: str
    event_id: str
    event_type: str
    participants: tuple[str, ...]
    event_date: datetime.date | None
    date_precision: str | None
    evidence: str | None
    confidence: float


@dataclass(frozen=True)
class FalseNegative:
    article: str
    gold_id: str
    event_type: str
    participants: tuple[str, ...]
    date: str | None
    evidence: str | None
    article_missing: bool = False  # the article itself was not in the predictions


@dataclass(frozen=True)
class ArticleFlag:
    """An article whose flag (has a TP or FP) disagrees with is_defence_cooperation."""

    article: str
    is_defence_cooperation: bool
    flagged: bool


@dataclass(frozen=True)
class MergeFailure:
    """A gold id required in >= 2 articles that did not come out as one event.

    ``event_ids`` maps each article where the id is required to the event_id of
    its true positive, or None when the article has no true positive for it.
    """

    gold_id: str
    event_ids: tuple[tuple[str, str | None], ...]


@dataclass
class Report:
    """Scores of one run.  Ratio conventions:

    * precision / recall / F1: when a denominator is 0 the value is 1.0 if
      there is nothing at all to find or to report (tp = fp = fn = 0), else 0.0.
      F1 is 0.0 when precision + recall is 0.
    * every other share (article_accuracy, date_exact, merge_recall) is 1.0
      when its denominator is 0 (nothing to measure); the counts are kept next
      to it so a vacuous 1.0 is visible.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0
    ignored: int = 0  # predictions paired with non-required gold events
    precision: float = 1.0
    recall: float = 1.0
    f1: float = 1.0
    articles_total: int = 0
    articles_correct: int = 0
    articles_flagged: int = 0
    articles_positive: int = 0  # gold is_defence_cooperation true
    article_accuracy: float = 1.0
    # the keyword alert's article flags (evaluation/baseline.py), when the articles' texts were at hand
    keyword_alert_correct: int = 0
    keyword_alert_total: int = 0
    keyword_alert_accuracy: float | None = None
    date_exact: float = 1.0
    date_exact_count: int = 0
    date_exact_total: int = 0  # == tp
    merge_recall: float = 1.0
    merge_numerator: int = 0
    merge_denominator: int = 0
    merge_failures: list[MergeFailure] = field(default_factory=list)
    false_merges: list[tuple[str, str, str]] = field(default_factory=list)
    per_type: dict[str, TypeScores] = field(default_factory=dict)
    true_positives: list[Match] = field(default_factory=list)
    false_positives: list[FalsePositive] = field(default_factory=list)
    false_negatives: list[FalseNegative] = field(default_factory=list)
    missing_articles: list[str] = field(default_factory=list)
    article_errors: list[ArticleFlag] = field(default_factory=list)
    min_confidence: float = 0.0


# --------------------------------------------------------------------------
# dates


def _parse_gold_date(value: str) -> tuple[datetime.date, str]:
    """'YYYY' | 'YYYY-MM' | 'YYYY-MM-DD' -> (first day, precision); ValueError if bad."""
    if not isinstance(value, str):
        raise ValueError(f"date must be a string YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    m = _DATE_RE.match(value.strip())
    if not m:
        raise ValueError(f"bad date {value!r} (want YYYY, YYYY-MM or YYYY-MM-DD)")
    y, mo, d = m.groups()
    try:
        if d is not None:
            return datetime.date(int(y), int(mo), int(d)), "day"
        if mo is not None:
            return datetime.date(int(y), int(mo), 1), "month"
        return datetime.date(int(y), 1, 1), "year"
    except ValueError as exc:
        raise ValueError(f"bad date {value!r}: {exc}") from None


def _period(d: datetime.date, precision: str | None) -> tuple[datetime.date, datetime.date]:
    """The calendar period a date denotes at a precision (None is taken as 'day')."""
    if precision == "year":
        return datetime.date(d.year, 1, 1), datetime.date(d.year, 12, 31)
    if precision == "month":
        start = datetime.date(d.year, d.month, 1)
        nxt = datetime.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return start, nxt - datetime.timedelta(days=1)
    return d, d


def _norm_precision(d: datetime.date | None, precision: str | None) -> str | None:
    """Precision of a predicted date.

    Interpretation: a non-null date with a null or unknown precision is taken
    as a day.
    """
    if d is None:
        return None
    return precision if precision in _PRECISION_RANK else "day"


def _contains_either_way(a: tuple[datetime.date, datetime.date], b: tuple[datetime.date, datetime.date]) -> bool:
    return (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])


def _gold_date_targets(gold_event: Mapping[str, Any]) -> list[tuple[datetime.date, str]]:
    out = []
    if gold_event.get("date") is not None:
        out.append(_parse_gold_date(gold_event["date"]))
    for alt in gold_event.get("date_alt") or ():
        out.append(_parse_gold_date(alt))
    return out


def date_compatible(pred: Prediction, gold_event: Mapping[str, Any]) -> bool:
    """Either side null, or one period contains the other, for the gold date or
    any ``date_alt`` (a date_alt is treated like the gold date: containment,
    not only equality)."""
    if pred.event_date is None or gold_event.get("date") is None:
        return True
    p = _period(pred.event_date, _norm_precision(pred.event_date, pred.date_precision))
    return any(_contains_either_way(p, _period(d, prec)) for d, prec in _gold_date_targets(gold_event))


def date_exact(pred: Prediction, gold_event: Mapping[str, Any]) -> bool:
    """The predicted date, truncated to the precision of the gold date (or of a
    ``date_alt``), equals it; a predicted date coarser than that target is not
    exact.  Null gold date: any predicted date, or none, is exact (there is
    nothing to get wrong).  Null predicted date with a non-null gold date: not
    exact."""
    gold_date = gold_event.get("date")
    if gold_date is None:
        return True
    if pred.event_date is None:
        return False
    pprec = _norm_precision(pred.event_date, pred.date_precision)
    for d, prec in _gold_date_targets(gold_event):
        if _PRECISION_RANK[pprec] < _PRECISION_RANK[prec]:
            continue  # coarser than the target
        if prec == "year" and pred.event_date.year == d.year:
            return True
        if prec == "month" and (pred.event_date.year, pred.event_date.month) == (d.year, d.month):
            return True
        if prec == "day" and pred.event_date == d:
            return True
    return False


# --------------------------------------------------------------------------
# compatibility


def _codes(values: Iterable[str]) -> set[str]:
    return {str(v).strip().upper() for v in values}


def participants_ok(pred: Prediction, gold_event: Mapping[str, Any]) -> bool:
    """``exact`` (default): predicted ⊇ participants and ⊆ participants ∪
    optional_participants.  ``subset``: the predicted set lies within
    participants ∪ optional_participants and holds at least two of
    participants, or is one organisation of participants alone (a bloc's own
    meeting).  Only members of ``participants`` count towards the two.  An
    organisation is any code that is not a state of the gazetteer."""
    predicted = _codes(pred.participants)
    required = _codes(gold_event.get("participants") or ())
    optional = _codes(gold_event.get("optional_participants") or ())
    mode = gold_event.get("participants_mode") or "exact"
    if mode == "subset":
        if len(predicted) == 1 and predicted <= required and not is_state(next(iter(predicted))):
            return True
        return len(predicted & required) >= 2 and predicted <= (required | optional)
    return required <= predicted <= (required | optional)


def _type_ok(pred: Prediction, gold_event: Mapping[str, Any]) -> bool:
    return pred.event_type == gold_event["type"] or pred.event_type in (gold_event.get("alt_types") or ())


def compatible(pred: Prediction, gold_event: Mapping[str, Any]) -> bool:
    return _type_ok(pred, gold_event) and participants_ok(pred, gold_event) and date_compatible(pred, gold_event)


# --------------------------------------------------------------------------
# matching


def _max_weight_matching(weights: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Maximum-weight bipartite matching (Hungarian algorithm, O(n^2 m)).

    ``weights[i][j] > 0`` is the value of pairing row i with column j, 0 means
    "may not be paired".  Returns the pairs (i, j) of a matching with maximal
    total weight; zero-weight pairs of the underlying assignment are dropped,
    which is exact because all real weights are positive.
    """
    n = len(weights)
    m = len(weights[0]) if n else 0
    if n == 0 or m == 0:
        return []
    transposed = n > m
    if transposed:
        weights = [list(col) for col in zip(*weights)]
        n, m = m, n
    cost = [[-w for w in row] for row in weights]  # minimise cost
    inf = float("inf")
    u = [0] * (n + 1)
    v = [0] * (m + 1)
    p = [0] * (m + 1)  # p[j]: row (1-based) assigned to column j
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = []
    for j in range(1, m + 1):
        if p[j]:
            i, jj = p[j] - 1, j - 1
            if weights[i][jj] > 0:
                pairs.append((jj, i) if transposed else (i, jj))
    return sorted(pairs)


def pair_article(preds: Sequence[Prediction], gold_events: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Pair predictions (rows) with gold events (columns) of one article.

    Weights are built so that the maximum total is lexicographic in
    (number of required pairs, number of exact-date required pairs,
    number of non-required pairs, confidence of the paired predictions):

    * tie-breaker per pair: round(confidence * 100), in [0, 100];
    * non-required pair: ``b_nonreq`` + tie, with b_nonreq > N * 100;
    * exact bonus (required pairs only): ``b_exact`` > N * (b_nonreq + 100);
    * required pair: ``b_req`` + (b_exact if exact) + tie, with
      b_req > N * (b_exact + b_nonreq + 100),

    where N bounds the number of pairs; one more pair at a level therefore
    always outweighs any change at all lower levels.
    """
    if not preds or not gold_events:
        return []
    n = min(len(preds), len(gold_events)) + 1
    tie_max = 100
    b_nonreq = n * tie_max + 1
    b_exact = n * (b_nonreq + tie_max) + 1
    b_req = n * (b_exact + b_nonreq + tie_max) + 1
    weights = []
    for p in preds:
        tie = max(0, min(tie_max, round((p.confidence if p.confidence is not None else 1.0) * tie_max)))
        row = []
        for g in gold_events:
            if not compatible(p, g):
                row.append(0)
            elif g.get("required"):
                row.append(b_req + (b_exact if date_exact(p, g) else 0) + tie)
            else:
                row.append(b_nonreq + tie)
        weights.append(row)
    return _max_weight_matching(weights)


# --------------------------------------------------------------------------
# gold


def _event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}")
    return value


def _gold_date(value: str | None) -> str | None:
    if value is not None:
        _parse_gold_date(value)
    return value


_Code = Annotated[str, StringConstraints(min_length=1)]
_Type = Annotated[str, AfterValidator(_event_type)]
_Date = Annotated[str | None, AfterValidator(_gold_date)]


class _GoldEvent(BaseModel):
    """One gold event (FORMAT.md); unknown keys such as ``note`` are kept."""

    model_config = ConfigDict(extra="allow", strict=True)
    id: _Code
    type: _Type
    participants: Annotated[list[_Code], Field(min_length=1)]
    required: bool
    date: _Date = None
    alt_types: list[_Type] = []
    optional_participants: list[_Code] = []
    participants_mode: Literal["exact", "subset"] = "exact"
    date_alt: list[Annotated[str, AfterValidator(_gold_date)]] = []
    in_background: bool = False
    evidence: str | None = None

    @field_validator("alt_types", "optional_participants", "date_alt", "participants_mode", mode="before")
    @classmethod
    def _null_is_default(cls, value, info):
        return cls.model_fields[info.field_name].default if value is None else value


class _GoldArticle(BaseModel):
    """One gold article (FORMAT.md)."""

    model_config = ConfigDict(extra="allow", strict=True)
    file: _Code
    is_defence_cooperation: bool
    events: list[_GoldEvent]
    url: str | None = None
    published: Any = None

    @model_validator(mode="after")
    def _unique_ids(self):
        seen: set[str] = set()
        for event in self.events:
            if event.id in seen:
                raise ValueError(f"event {event.id}: duplicate id in this article")
            seen.add(event.id)
        return self


def _validation_message(exc: ValidationError, obj: dict) -> str:
    """pydantic's first error in the words of the gold format: which field of which event, and what is wrong."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    where = ""
    if loc[:1] == ["events"] and len(loc) > 1 and isinstance(loc[1], int):
        events = obj.get("events") or []
        ev = events[loc[1]] if loc[1] < len(events) else None
        where = f"event {ev['id']}: " if isinstance(ev, dict) and isinstance(ev.get("id"), str) and ev["id"] else \
            f"event {loc[1]}: "
        loc = loc[2:]
    field = next((part for part in loc if isinstance(part, str)), None)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{where}missing field {field!r}"
    return f"{where}{field!r}: {message}" if field else f"{where}{message}"


def load_gold(path: str | Path) -> list[dict]:
    """Read a gold JSONL file (FORMAT.md) and check it, with pydantic models of an article and an event.

    Raises ``ValueError("<path>:<line>: ...")`` on invalid JSON, a line that is
    not an object, a missing or ill-typed field, an unknown event type (in
    ``type`` or ``alt_types``), a bad date, an unknown participants_mode, a
    duplicate event id within an article or a duplicate ``file``.  Blank lines
    are skipped.  Required per article: ``file``, ``is_defence_cooperation``,
    ``events`` (``url`` / ``published`` may be absent = null).  Required per
    event: ``id``, ``type``, ``participants`` (non-empty), ``required``; ``date``
    may be absent (= null).  Unknown extra keys (e.g. ``note``) are kept.
    Returns the objects with optional fields filled with their defaults.
    """
    path = Path(path)
    out: list[dict] = []
    seen_files: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON: {exc}") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{lineno}: a line must be a JSON object")
            try:
                article = _GoldArticle.model_validate(obj)
            except ValidationError as exc:
                raise ValueError(f"{path}:{lineno}: {_validation_message(exc, obj)}") from None
            if article.file in seen_files:
                raise ValueError(f"{path}:{lineno}: duplicate file {article.file!r} (first on line "
                                 f"{seen_files[article.file]})")
            seen_files[article.file] = lineno
            out.append(article.model_dump())
    return out


# --------------------------------------------------------------------------
# predictions from the database


def predictions_from_db(conn) -> PredictionSet:
    """Predictions per article from a newswatch DuckDB connection.

    Keyed by ``articles.origin`` (Interpretation: falling back to ``url`` and
    then ``article_id`` when origin is null).  Every article is a key, with []
    when it has no events.  One Prediction per distinct (article, event_id);
    its evidence is the evidence of the article's first mention by
    ``char_start`` (nulls last), its confidence ``events.confidence``
    (Interpretation: 1.0 when null).  Mentions whose event_id is not in
    ``events`` are skipped.  Two article rows with the same origin are merged
    under one key (distinct event ids).  The returned dict's ``urls`` maps
    ``articles.url`` to the key, for gold lines matched on url.
    """
    rows = conn.execute(
        """
        SELECT a.article_id, a.origin, a.url,
               em.event_id, em.event_type, em.participants, em.event_date,
               em.date_precision, em.confidence, em.evidence, em.char_start
        FROM articles a
        LEFT JOIN (
            SELECT m.article_id, m.event_id, m.evidence, m.char_start,
                   e.event_type, e.participants, e.event_date, e.date_precision, e.confidence
            FROM event_mentions m
            JOIN events e ON e.event_id = m.event_id
        ) em ON em.article_id = a.article_id
        ORDER BY a.article_id, em.char_start NULLS LAST, em.event_id
        """
    ).fetchall()
    result = PredictionSet()
    seen: dict[str, set[str]] = defaultdict(set)
    for (article_id, origin, url, event_id, event_type, participants, event_date,
         date_precision, confidence, evidence, _char_start) in rows:
        key = origin if origin is not None else (url if url is not None else article_id)
        preds = result.setdefault(key, [])
        if url is not None and url not in result.urls:
            result.urls[url] = key
        if event_id is None or event_id in seen[key]:
            continue  # no events, or a later mention of an event already taken
        seen[key].add(event_id)
        if isinstance(event_date, datetime.datetime):
            event_date = event_date.date()
        preds.append(
            Prediction(
                event_id=str(event_id),
                event_type=event_type,
                participants=tuple(participants or ()),
                event_date=event_date,
                date_precision=date_precision,
                evidence=evidence,
                confidence=float(confidence) if confidence is not None else 1.0,
            )
        )
    return result


# --------------------------------------------------------------------------
# scoring


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1.  A zero denominator gives 1.0 when tp = fp = fn
    = 0 (nothing to find and nothing reported) and 0.0 otherwise."""
    empty = tp == 0 and fp == 0 and fn == 0
    p = tp / (tp + fp) if tp + fp else (1.0 if empty else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if empty else 0.0)
    if empty:
        return 1.0, 1.0, 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def _share(num: int, den: int) -> float:
    return num / den if den else 1.0


def _lookup(article: Mapping[str, Any], predictions: Mapping[str, list[Prediction]],
            urls: Mapping[str, str]) -> list[Prediction] | None:
    """Match a gold line to an article: ``file`` == origin first, else
    ``url`` == articles.url (through ``urls``, or directly as a key)."""
    if article["file"] in predictions:
        return predictions[article["file"]]
    url = article.get("url")
    if url:
        if url in urls and urls[url] in predictions:
            return predictions[urls[url]]
        if url in predictions:
            return predictions[url]
    return None


def score(gold: list[dict], predictions: dict[str, list[Prediction]], *,
          min_confidence: float = 0.0, urls: dict[str, str] | None = None,
          alerts: Mapping[str, bool] | None = None) -> Report:
    """Score predictions against gold articles (FORMAT.md).

    ``predictions`` maps article keys (origins) to their predictions;
    ``urls`` maps an article url to its key (default: ``predictions.urls`` when
    it is a :class:`PredictionSet`).  Predictions with confidence below
    ``min_confidence`` are dropped first.  Predictions of articles that are not
    in the gold file are not scored.  A gold article with no matching article
    is listed in ``missing_articles`` and all its required events are FNs.
    ``alerts`` maps the same keys to the keyword alert's flag, scored as article accuracy beside the
    extractor's.
    """
    if urls is None:
        urls = getattr(predictions, "urls", None) or {}
    rep = Report(min_confidence=min_confidence)
    type_counts: dict[str, list[int]] = {t: [0, 0, 0] for t in EVENT_TYPES}
    # gold id -> list of (article, event_id or None) over articles where it is required
    required_in: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    event_to_gold: dict[str, set[str]] = defaultdict(set)

    for article in gold:
        name = article["file"]
        gold_events = article.get("events") or []
        found = _lookup(article, predictions, urls)
        missing = found is None
        if missing:
            rep.missing_articles.append(name)
            found = []
        preds = [p for p in found if (p.confidence if p.confidence is not None else 1.0) >= min_confidence]

        pairs = pair_article(preds, gold_events)
        paired_pred = {i: j for i, j in pairs}
        paired_gold = {j: i for i, j in pairs}
        flagged = False

        for i, p in enumerate(preds):
            j = paired_pred.get(i)
            if j is not None and not gold_events[j].get("required"):
                rep.ignored += 1
                continue
            flagged = True
            if j is None:
                rep.fp += 1
                type_counts.setdefault(p.event_type, [0, 0, 0])[1] += 1
                rep.false_positives.append(FalsePositive(
                    article=name, event_id=p.event_id, event_type=p.event_type,
                    participants=tuple(p.participants), event_date=p.event_date,
                    date_precision=p.date_precision, evidence=p.evidence,
                    confidence=p.confidence))
                continue
            g = gold_events[j]
            exact = date_exact(p, g)
            rep.tp += 1
            rep.date_exact_count += exact
            type_counts.setdefault(g["type"], [0, 0, 0])[0] += 1
            rep.true_positives.append(Match(
                article=name, gold_id=g["id"], event_id=p.event_id, gold_type=g["type"],
                predicted_type=p.event_type, gold_date=g.get("date"),
                predicted_date=p.event_date, predicted_precision=p.date_precision,
                date_exact=exact, confidence=p.confidence))
            event_to_gold[p.event_id].add(g["id"])

        for j, g in enumerate(gold_events):
            if not g.get("required"):
                continue
            i = paired_gold.get(j)
            required_in[g["id"]].append((name, preds[i].event_id if i is not None else None))
            if i is None:
                rep.fn += 1
                type_counts.setdefault(g["type"], [0, 0, 0])[2] += 1
                rep.false_negatives.append(FalseNegative(
                    article=name, gold_id=g["id"], event_type=g["type"],
                    participants=tuple(g.get("participants") or ()), date=g.get("date"),
                    evidence=g.get("evidence"), article_missing=missing))

        truth = bool(article.get("is_defence_cooperation"))
        rep.articles_total += 1
        rep.articles_flagged += flagged
        rep.articles_positive += truth
        if flagged == truth:
            rep.articles_correct += 1
        else:
            rep.article_errors.append(ArticleFlag(name, truth, flagged))
        alert = _lookup(article, alerts, urls) if alerts is not None else None
        if alert is not None:
            rep.keyword_alert_total += 1
            rep.keyword_alert_correct += alert == truth

    rep.precision, rep.recall, rep.f1 = _prf(rep.tp, rep.fp, rep.fn)
    rep.article_accuracy = _share(rep.articles_correct, rep.articles_total)
    if alerts is not None:
        rep.keyword_alert_accuracy = _share(rep.keyword_alert_correct, rep.keyword_alert_total)
    rep.date_exact_total = rep.tp
    rep.date_exact = _share(rep.date_exact_count, rep.tp)

    # Merge recall: a gold id required in >= 2 articles is merged when every one
    # of those articles has a TP for it and all these TPs carry one event_id.
    for gid, hits in required_in.items():
        if len(hits) < 2:
            continue
        rep.merge_denominator += 1
        ids = {eid for _, eid in hits}
        if None not in ids and len(ids) == 1:
            rep.merge_numerator += 1
        else:
            rep.merge_failures.append(MergeFailure(gid, tuple(hits)))
    rep.merge_recall = _share(rep.merge_numerator, rep.merge_denominator)

    # False merges: two different gold ids whose TPs share one event_id.
    for eid in sorted(event_to_gold):
        gids = sorted(event_to_gold[eid])
        for a in range(len(gids)):
            for b in range(a + 1, len(gids)):
                rep.false_merges.append((gids[a], gids[b], eid))

    for t, (tp, fp, fn) in type_counts.items():
        p, r, f = _prf(tp, fp, fn)
        rep.per_type[t] = TypeScores(tp, fp, fn, p, r, f)
    return rep


def score_by_threshold(gold: list[dict], predictions: dict[str, list[Prediction]],
                       thresholds: Iterable[float] = DEFAULT_THRESHOLDS, *,
                       urls: dict[str, str] | None = None) -> list[tuple[float, Report]]:
    """One :func:`score` per confidence threshold, in the order given."""
    return [(t, score(gold, predictions, min_confidence=t, urls=urls)) for t in thresholds]


def keyword_alerts(conn) -> dict[str, bool]:
    """The keyword alert's flag (evaluation/baseline.py) for every article of a newswatch database, keyed as
    :func:`predictions_from_db` keys them."""
    from newswatch.evaluation.baseline import keyword_alert
    rows = conn.execute("SELECT coalesce(origin, url, article_id), title, text FROM articles").fetchall()
    return {key: keyword_alert(title, text or "") for key, title, text in rows}


# --------------------------------------------------------------------------
# output


RELIABILITY_BINS: tuple[float, ...] = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)


@dataclass
class ReliabilityBin:
    low: float
    high: float
    events: int          # scored predictions (true and false positives; ignored ones are not scored)
    right: int           # of them, true positives
    mean_confidence: float

    @property
    def right_share(self) -> float | None:
        return self.right / self.events if self.events else None


def reliability(report: Report, bins: Sequence[float] = RELIABILITY_BINS) -> list[ReliabilityBin]:
    """How often predictions are right, by confidence band: for a calibrated confidence the share right is
    close to the band's mean confidence. Predictions without a confidence count as 1.0."""
    scored = [(1.0 if m.confidence is None else m.confidence, True) for m in report.true_positives] + \
             [(1.0 if f.confidence is None else f.confidence, False) for f in report.false_positives]
    out = []
    for k, (low, high) in enumerate(zip(bins, bins[1:])):
        last = k == len(bins) - 2
        inside = [(c, ok) for c, ok in scored if low <= c < high or (last and c == high)]
        out.append(ReliabilityBin(low, high, len(inside), sum(ok for _, ok in inside),
                                  sum(c for c, _ in inside) / len(inside) if inside else 0.0))
    return out


def _fmt_pred_date(d: datetime.date | None, precision: str | None) -> str:
    if d is None:
        return "-"
    prec = _norm_precision(d, precision)
    if prec == "year":
        return f"{d.year:04d}"
    if prec == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


def _pct(x: float) -> str:
    return f"{x:.3f}"


def format_report(report: Report, *, by_threshold: Sequence[tuple[float, Report]] | None = None) -> str:
    """A plain-text report for analysts."""
    r = report
    lines = []
    title = "Scores" + (f" (min confidence {r.min_confidence:g})" if r.min_confidence else "")
    lines.append(title)
    lines.append("=" * len(title))
    lines.append(f"events     TP {r.tp}  FP {r.fp}  FN {r.fn}  ignored {r.ignored}")
    lines.append(f"           precision {_pct(r.precision)}  recall {_pct(r.recall)}  F1 {_pct(r.f1)}")
    lines.append(f"articles   accuracy {_pct(r.article_accuracy)} ({r.articles_correct}/{r.articles_total};"
                 f" flagged {r.articles_flagged}, gold positive {r.articles_positive})")
    if r.keyword_alert_accuracy is not None:
        lines.append(f"           keyword alert {_pct(r.keyword_alert_accuracy)} ({r.keyword_alert_correct}/"
                     f"{r.keyword_alert_total}; a defence word, a cooperation word, two named states)")
    lines.append(f"dates      exact {_pct(r.date_exact)} ({r.date_exact_count}/{r.date_exact_total} true positives)")
    lines.append(f"merging    recall {_pct(r.merge_recall)} ({r.merge_numerator}/{r.merge_denominator} gold ids"
                 f" required in >= 2 articles); false merges {len(r.false_merges)}")
    lines.append("")

    lines.append("Per type (TP/FN under the gold type, FP under the predicted type)")
    lines.append(f"  {'type':<20} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for t, s in r.per_type.items():
        lines.append(f"  {t:<20} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}")
    lines.append("")

    if by_threshold:
        lines.append("By confidence threshold")
        lines.append(f"  {'min':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6} {'art.acc':>7}")
        for t, rr in by_threshold:
            lines.append(f"  {t:>5.2f} {rr.tp:>4} {rr.fp:>4} {rr.fn:>4} {rr.precision:>6.3f}"
                         f" {rr.recall:>6.3f} {rr.f1:>6.3f} {rr.article_accuracy:>7.3f}")
        lines.append("")

    bands = reliability(r)
    if any(b.events for b in bands):
        lines.append("Reliability (is an event at a given confidence right that often?)")
        lines.append(f"  {'confidence':<11} {'events':>6} {'right':>5} {'share':>6} {'mean conf':>9}")
        for b in bands:
            share = f"{b.right_share:>6.3f}" if b.right_share is not None else f"{'-':>6}"
            mean = f"{b.mean_confidence:>9.3f}" if b.events else f"{'-':>9}"
            lines.append(f"  {b.low:.1f}-{b.high:.1f}{'':<4} {b.events:>6} {b.right:>5} {share} {mean}")
        lines.append("")

    if r.missing_articles:
        lines.append(f"Missing articles ({len(r.missing_articles)}): in the gold file, not in the predictions")
        lines.extend(f"  {a}" for a in r.missing_articles)
        lines.append("")

    if r.article_errors:
        lines.append(f"Misflagged articles ({len(r.article_errors)})")
        for e in r.article_errors:
            what = "flagged, but gold says no event" if e.flagged else "not flagged, but gold has events"
            lines.append(f"  {e.article}: {what}")
        lines.append("")

    if r.merge_failures:
        lines.append(f"Merge failures ({len(r.merge_failures)})")
        for mf in r.merge_failures:
            parts = ", ".join(f"{a}: {eid or 'not found'}" for a, eid in mf.event_ids)
            lines.append(f"  {mf.gold_id}: {parts}")
        lines.append("")

    if r.false_merges:
        lines.append(f"False merges ({len(r.false_merges)})")
        for a, b, eid in r.false_merges:
            lines.append(f"  {a} + {b} -> event {eid}")
        lines.append("")

    lines.append(f"False positives ({len(r.false_positives)})")
    for fp in r.false_positives:
        lines.append(f"  {fp.article}  [{fp.event_type}] {'-'.join(fp.participants) or '-'}"
                     f"  {_fmt_pred_date(fp.event_date, fp.date_precision)}"
                     f"  event {fp.event_id}  conf {fp.confidence:.2f}")
        if fp.evidence:
            lines.append(f"      \"{fp.evidence}\"")
    lines.append("")

    lines.append(f"False negatives ({len(r.false_negatives)})")
    for fn in r.false_negatives:
        miss = "  (article missing)" if fn.article_missing else ""
        lines.append(f"  {fn.article}  {fn.gold_id} [{fn.event_type}] {'-'.join(fn.participants)}"
                     f"  {fn.date or '-'}{miss}")
        if fn.evidence:
            lines.append(f"      \"{fn.evidence}\"")
    return "\n".join(lines).rstrip() + "\n"


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def report_to_dict(report: Report, *, by_threshold: Sequence[tuple[float, Report]] | None = None) -> dict:
    """A JSON-serialisable dict of the report (dates as ISO strings, tuples as
    lists; false_merges as lists [gold_id_a, gold_id_b, event_id]).  With
    ``by_threshold``, adds ``by_threshold``: a list of
    {min_confidence, tp, fp, fn, precision, recall, f1, article_accuracy}.
    ``reliability`` lists the confidence bands of :func:`reliability`."""
    out = _jsonable(report)
    if by_threshold is not None:
        out["by_threshold"] = [
            {"min_confidence": t, "tp": r.tp, "fp": r.fp, "fn": r.fn, "precision": r.precision,
             "recall": r.recall, "f1": r.f1, "article_accuracy": r.article_accuracy}
            for t, r in by_threshold
        ]
    out["reliability"] = [{"low": b.low, "high": b.high, "events": b.events, "right": b.right,
                           "right_share": b.right_share, "mean_confidence": b.mean_confidence}
                          for b in reliability(report)]
    return out
