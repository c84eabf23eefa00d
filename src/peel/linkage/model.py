"""The linkage model, declared once: the comparisons, blocking rules and thresholds that
decide whether two person records are the same person.

Everything that decides whether two records are the same person lives here, so that a reader
(or an auditor) can see the whole model in one file. The comparisons are built only for the
fields an input actually has, so an ad-hoc list with a name and a date of birth and the
force's warehouse with addresses, phones and PNC ids share one model definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on

from peel.linkage.blocking import Candidate, key_column

# How explanations name each comparison (by its output column).
EVIDENCE_NAMES = {
    "name": "name (forename and surname)",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "residence": "address (postcode, house number, street, town)",
    "email": "email",
    "phone": "phone",
    "pnc_id": "PNC id",
}

# A pair is the same person when its match probability is at least this (clustering into
# entities: connected components over pairs at or above it).
MATCH_THRESHOLD = 0.5
# An entity of more than LARGE_ENTITY_RECORDS distinct records none of whose groups linked at
# STRONG_LINK or above holds half its records is split into those groups (cluster.py): it
# was chained together by weak links.
LARGE_ENTITY_RECORDS = 20
STRONG_LINK = 0.9
# Pairs in [REVIEW_LOW, REVIEW_HIGH) are near the threshold and are offered for human review.
REVIEW_LOW = 0.2
REVIEW_HIGH = 0.9
# Scored pairs below this probability are not kept (they carry no evidence of a match).
KEEP_PAIRS_ABOVE = 0.01
# `peel link match`: an entity is a candidate when its best record scores at least this.
MATCH_CANDIDATE_THRESHOLD = 0.5

# Once reviewers have accepted this many pairs, m probabilities are estimated from them
# (labelled truth) instead of by expectation maximisation (resolve.train_from_reviews).
MIN_REVIEWED_MATCHES_FOR_TRAINING = 100
# The model is estimated from the records themselves; with fewer distinct records than this
# the estimation divides by zero (one record has no pairs) or fails (two have one pair).
MIN_DISTINCT_RECORDS = 3

# A record holding nothing but a name joins the one entity with that exact name, if exactly
# one has it (resolve.attach_name_only). Without it, such records are always singletons.
ATTACH_NAME_ONLY_RECORDS = True

# Blocking (blocking.py): candidate rules are kept, surest first, while the comparisons they
# make (counted on the data) add up to at most this many per distinct record, or
# MIN_COMPARISON_BUDGET when that is more (every pair of a small file can then be compared).
COMPARISON_BUDGET_PER_RECORD = 20
MIN_COMPARISON_BUDGET = 250_000


def comparison_budget(n_records: int) -> int:
    """The most comparisons a run of ``n_records`` distinct records may make."""
    return max(MIN_COMPARISON_BUDGET, COMPARISON_BUDGET_PER_RECORD * n_records)


# Training: u from random pairs, m by expectation maximisation on blocked pairs. A training
# block with too few pairs teaches nothing reliable (found: blocks of 9 and 5 pairs among
# tens of thousands of records, most dates of birth missing), so it is not used: it needs
# one pair per ten records, at least 10 (a small file) and at most MIN_TRAINING_PAIRS.
MIN_TRAINING_PAIRS = 100


def min_training_pairs(n_records: int) -> int:
    """The fewest pairs a training block of ``n_records`` distinct records must hold."""
    return min(MIN_TRAINING_PAIRS, max(10, n_records // 10))

# Training reads at most this many copies of records identical on every compared field (the
# scoring reads one): with one copy, no pair within a training block on the town can have the
# same name (it would be the same record), so "forename and surname exact" is never seen in
# training; two copies let every level agree, and a record repeated thousands of times (a
# prolific offender) still adds one pair, not millions.
TRAINING_COPIES = 2

U_MAX_PAIRS = 1e6
EM_MAX_PAIRS = 1e6
EM_MAX_ITERATIONS = 10
SEED = 42
# No m probability below this: expectation maximisation can drive a level it never sees
# among matches in its training block to ~0 (a weight of -100 bits, a veto no recording
# error could overcome); this caps one disagreeing field at about -7 bits.
M_FLOOR = 0.005
# DuckDB working memory for a linkage run; above it DuckDB spills to disk.
WORK_MEMORY_LIMIT = "2GB"
# Scoring keeps pairs this many bits below KEEP_PAIRS_ABOVE, because re-estimating the prior
# afterwards moves every weight (by a few bits in practice); lower pairs are never stored.
PRIOR_SHIFT_MARGIN = 6
# Iterations of the estimate of the share of pairs that match (see resolve.estimate_prior).
PRIOR_ITERATIONS = 200


NO_FIELDS_TO_COMPARE = (
    "No person fields to compare: the mapping must name forename and surname, a date of birth, "
    "an address field, sex, email, phone, pnc_id or an exact: column, and the file must hold "
    "values in it."
)


@dataclass(frozen=True)
class Model:
    """The comparisons and blocking rules for one set of available columns."""

    comparisons: list
    blocking_candidates: list[Candidate]  # in order of preference; blocking.choose_rules
    training_candidates: list[Candidate]  # the same; blocking.choose_training_blocks
    deterministic_rules: list


def _has(columns: set[str], *names: str) -> bool:
    return all(n in columns for n in names)


def _name_comparison():
    # Why these levels: police records swap forename and surname, use nicknames (Bob for
    # Robert) and misspell both; an exact match on a shared surname is weaker than on both.
    return cl.CustomComparison(
        comparison_levels=[
            cll.And(cll.NullLevel("forename"), cll.NullLevel("surname")).configure(
                is_null_level=True
            ),
            # Frequency-adjusted on the whole name: "john smith" agreeing is weaker evidence
            # than a rare name agreeing (Splink's term-frequency adjustment).
            cll.And(cll.ExactMatchLevel("forename"), cll.ExactMatchLevel("surname")).configure(
                label_for_charts="forename and surname exact", tf_adjustment_column="name_sorted",
                tf_adjustment_weight=1.0,
                # The level's own u is the base the name's frequency is set against (there
                # is no exact level on name_sorted alone).
                disable_tf_exact_match_detection=True,
            ),
            cll.CustomLevel(
                "forename_l = surname_r AND surname_l = forename_r", "forename and surname swapped"
            ),
            cll.And(
                cll.ExactMatchLevel("forename_canon"), cll.ExactMatchLevel("surname")
            ).configure(label_for_charts="nickname of the same forename, surname exact"),
            cll.And(
                cll.JaroWinklerLevel("forename", 0.88), cll.JaroWinklerLevel("surname", 0.88)
            ).configure(label_for_charts="forename and surname similar"),
            cll.JaroWinklerLevel("name_sorted", 0.95).configure(
                label_for_charts="names nearly the same in either order"
            ),
            cll.And(
                cll.ExactMatchLevel("surname"),
                cll.Or(
                    cll.NullLevel("forename"),
                    cll.CustomLevel("substr(forename_l, 1, 1) = substr(forename_r, 1, 1)"),
                ),
            ).configure(label_for_charts="surname exact, forename initial or missing"),
            cll.And(cll.JaroWinklerLevel("surname", 0.88), cll.NullLevel("forename")).configure(
                label_for_charts="surname similar, forename missing"
            ),
            cll.And(
                cll.JaroWinklerLevel("surname", 0.88),
                cll.CustomLevel("substr(forename_l, 1, 1) = substr(forename_r, 1, 1)"),
            ).configure(label_for_charts="surname similar, forename initial the same"),
            cll.JaroWinklerLevel("surname", 0.88).configure(
                label_for_charts="surname similar, forename differs"
            ),
            cll.And(
                cll.ExactMatchLevel("forename_canon"), cll.NullLevel("surname")
            ).configure(label_for_charts="forename (or nickname) exact, surname missing"),
            cll.JaroWinklerLevel("forename", 0.88).configure(label_for_charts="forename similar"),
            cll.ElseLevel(),
        ],
        output_column_name="name",
        comparison_description="forename and surname",
    )


def _date_of_birth_comparison():
    # Dates of birth are YYYY-MM-DD text (prepare.py), any year; a date with an impossible
    # day or month ('1956-13-05') is kept as text, so it still agrees as one typo. The
    # levels are Splink's DateOfBirthComparison (exact, one character, within a month, within
    # a year) with the police's own: day and month swapped (the US/UK entry error) and the
    # same day and month with the year mistyped. The within-levels compare real dates only.
    col = "date_of_birth"

    def within(threshold: int, metric: str, label: str):
        # ISO text: each backend's default date format (DuckDB's and Spark's differ in
        # how they write it).
        return cll.AbsoluteDateDifferenceLevel(
            col, input_is_string=True, threshold=threshold, metric=metric,
        ).configure(label_for_charts=label)

    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(col),
            # Frequency-adjusted: a date many records share (a placeholder such as 1900-01-01)
            # is weaker evidence than a rare one.
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            cll.CustomLevel(
                f"substr({col}_l, 1, 4) = substr({col}_r, 1, 4) "
                f"AND substr({col}_l, 6, 2) = substr({col}_r, 9, 2) "
                f"AND substr({col}_l, 9, 2) = substr({col}_r, 6, 2)",
                "day and month swapped",
            ),
            cll.DamerauLevenshteinLevel(col, 1).configure(label_for_charts="one typo"),
            within(1, "month", "within a month"),
            cll.CustomLevel(
                f"substr({col}_l, 6, 5) = substr({col}_r, 6, 5)", "same day and month, year differs"
            ),
            cll.DamerauLevenshteinLevel(col, 2).configure(label_for_charts="two typos"),
            within(1, "year", "within a year"),
            cll.ElseLevel(),
        ],
        output_column_name=col,
        comparison_description="date of birth",
    )


def _address_comparison(columns: set[str]):
    """One comparison for where a person lives, built from the address fields present.

    Why one and not four: postcode, street and town agree together (same street -> same
    postcode -> same town), so comparing them separately counts one fact three times; at a
    million records that linked neighbours with similar surnames into one giant entity.
    """
    has = [c for c in ("postcode", "house_number", "address", "town") if c in columns]
    if not has:
        return None
    present = [c for c in ("postcode", "address", "town") if c in has] or has

    def missing(side: str) -> str:
        return "(" + " AND ".join(f"{c}_{side} IS NULL" for c in present) + ")"

    levels = [cll.CustomLevel(f"{missing('l')} OR {missing('r')}", "no address on one side")
              .configure(is_null_level=True)]
    if {"postcode", "house_number"} <= columns:
        levels.append(cll.CustomLevel(
            "postcode_l = postcode_r AND house_number_l = house_number_r",
            "same dwelling (postcode and house number)"))
    if {"address", "house_number"} <= columns:
        levels.append(cll.CustomLevel(
            "address_l = address_r AND house_number_l = house_number_r",
            "same dwelling (street and house number)"))
    if {"postcode", "house_number"} <= columns:
        levels.append(cll.And(
            cll.DamerauLevenshteinLevel("postcode", 1),
            cll.CustomLevel("house_number_l = house_number_r"),
        ).configure(label_for_charts="same house number, postcode one typo"))
    if "postcode" in columns:
        levels.append(cll.CustomLevel("postcode_l = postcode_r",
                                      "same postcode, other or no house number"))
    if {"address", "town"} <= columns:
        levels.append(cll.CustomLevel("address_l = address_r AND town_l = town_r",
                                      "same street and town"))
    if "postcode" in columns:
        levels.append(cll.CustomLevel(
            "split_part(postcode_l, ' ', 1) = split_part(postcode_r, ' ', 1) "
            "AND strpos(postcode_l, ' ') > 0", "same postcode district"))
    if "town" in columns:
        levels.append(cll.ExactMatchLevel("town").configure(label_for_charts="same town"))
        levels.append(cll.DamerauLevenshteinLevel("town", 2).configure(
            label_for_charts="town within two typos"))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(comparison_levels=levels, output_column_name="residence",
                               comparison_description="address")


def build_model(columns: set[str], exact_columns: list[str]) -> Model:
    """Choose comparisons and blocking rules for the person fields present in ``columns``."""
    comparisons = []
    deterministic = []
    names = _has(columns, "forename", "surname")
    dob = _has(columns, "date_of_birth")
    if names:
        comparisons.append(_name_comparison())
    if dob:
        comparisons.append(_date_of_birth_comparison())
    if "sex" in columns:
        comparisons.append(cl.ExactMatch("sex"))
    address = _address_comparison(columns)
    if address is not None:
        comparisons.append(address)
    if "email" in columns:
        # Exact or a typo, not "similar": emails are built from names, so a similar email
        # would count the name twice.
        comparisons.append(cl.CustomComparison(comparison_levels=[
            cll.NullLevel("email"), cll.ExactMatchLevel("email"),
            cll.DamerauLevenshteinLevel("email", 2).configure(label_for_charts="one or two typos"),
            cll.And(cll.JaroWinklerLevel("email", 0.88), cll.JaroWinklerLevel("name_sorted", 0.88))
            .configure(label_for_charts="similar, and the names are similar"),
            cll.ElseLevel()], output_column_name="email", comparison_description="email"))
    if "phone" in columns:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("phone", [1]))
    if "pnc_id" in columns:
        comparisons.append(cl.ExactMatch("pnc_id"))
    for col in exact_columns:
        # Frequency-adjusted: an occupation thousands share is weak evidence, an id strong.
        comparisons.append(cl.ExactMatch(col).configure(term_frequency_adjustments=True))

    # Blocking candidates, surest first: each true pair gets several chances (a typo in one
    # field leaves the others), and the budget keeps those the data can afford.
    blocking = [Candidate(keys) for keys in _blocking_keys(columns, exact_columns)]
    if names:  # first: cheap, and the name-and-date rules cannot find a swapped name
        blocking.insert(0, Candidate(("forename", "surname"), swapped=True))
        if dob:
            deterministic.append(block_on("surname", "forename", "date_of_birth"))
    # Training blocks: candidates (blocking.choose_training_blocks picks, for each
    # comparison, the first with enough pairs that leaves it out). Each is tight enough that
    # most of its pairs are the same person, so expectation maximisation learns "same person"
    # (not "same name" or "same household"). The postcode is used only beside a name or a
    # date of birth: within one address alone, expectation maximisation learns "same
    # household" (found at 1M records: families merged into one giant entity).
    training = [Candidate(keys) for keys in _training_keys(columns, exact_columns)]
    for col in ("email", "phone", "pnc_id", *exact_columns):
        if col in columns or col in exact_columns:
            deterministic.append(block_on(col))
    if not comparisons:
        raise ValueError(NO_FIELDS_TO_COMPARE)
    if not deterministic:
        deterministic = [next(c for c in blocking if not c.swapped).rule()]
    return Model(comparisons, blocking, training, deterministic)


def _usable(keys: tuple[str, ...], columns: set[str], exact_columns: list[str]) -> bool:
    return all(key_column(k) in columns or key_column(k) in exact_columns for k in keys)


def _training_keys(columns: set[str], exact_columns: list[str]) -> list[tuple[str, ...]]:
    """Training block candidates, the surest first."""
    keys = [
        ("surname", "forename", "date_of_birth"),
        ("date_of_birth", "postcode"),
        ("surname", "forename", "postcode"),
        ("surname", "forename", "town"),
        ("date_of_birth", "town"),
        *((col,) for col in exact_columns),
        ("pnc_id",), ("email",), ("phone",),
        ("surname", "forename"),
        ("date_of_birth",),
        # Last resorts, for inputs with little else (a name and a town): broad blocks whose
        # pairs are mostly different people, which expectation maximisation can still
        # separate when the evidence left is strong.
        ("town",),
        ("surname",),
    ]
    if not {"forename", "surname", "date_of_birth"} & columns:
        keys.append(("postcode",))
    return [k for k in keys if _usable(k, columns, exact_columns)]


# The columns each comparison reads (by output column): a training block on any of them
# cannot train it (Splink leaves out the comparisons a block's columns are in).
COMPARISON_COLUMNS = {
    "name": {"forename", "surname", "forename_canon", "name_sorted"},
    "residence": {"postcode", "house_number", "address", "town"},
    "email": {"email", "name_sorted", "forename", "surname"},
}


def _blocking_keys(columns: set[str], exact_columns: list[str]) -> list[tuple[str, ...]]:
    """The equal-value blocking candidates for the fields present, surest first."""
    def have(*keys: str) -> bool:
        return _usable(keys, columns, exact_columns)

    dob_year, initial = "substr(date_of_birth, 1, 4)", "substr(forename, 1, 1)"
    keys = [
        ("surname", "date_of_birth"),
        ("forename_canon", "date_of_birth"),
        ("substr(surname, 1, 2)", dob_year, initial),
        ("surname", "postcode"),
        ("forename_canon", "postcode"),
        ("date_of_birth", "postcode"),
        ("email",), ("phone",), ("pnc_id",),
        *((col,) for col in exact_columns),
        # The name alone links namesakes too: after the rules that pair it with more.
        ("surname", "forename"),
        ("surname", "town"),
        ("surname", initial),
        ("forename_canon", "substr(surname, 1, 1)"),
        ("date_of_birth",), ("postcode",), ("surname",), ("forename",),
        ("town", dob_year),
    ]
    # Last, every pair: a small file can afford to compare them all.
    return [k for k in keys if have(*k)] + [()]
