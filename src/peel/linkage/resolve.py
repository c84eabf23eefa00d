"""Resolve prepared person records into entities: train the Splink model on the data itself,
score candidate pairs, respect human review decisions, cluster at the declared threshold.

The model is unsupervised: u probabilities from random pairs, m probabilities by expectation
maximisation on blocked pairs, and the share of pairs that match (the prior) re-estimated
from the scored pairs themselves, because the usual deterministic-rule estimate depends on a
guessed recall and was off by an order of magnitude on corrupted data.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from splink import Linker, SettingsCreator
from splink.clustering import cluster_pairwise_predictions_at_threshold
from splink.internals.exceptions import SplinkException

from peel.linkage import model as S
from peel.linkage.blocking import (
    Candidate,
    RuleCount,
    blocking_recall,
    choose_rules,
    choose_training_blocks,
    key_column,
)
from peel.linkage.cluster import split_rejected, split_weakly_held
from peel.linkage.engine import make_engine
from peel.linkage.frequency import NAME_COLUMN, adjusted_columns, frequency_sql, name_agreement_u
from peel.warehouse.sql import quote_identifier, quote_literal

logging.getLogger("splink").setLevel(logging.ERROR)

Progress = Callable[[str], None]


@dataclass
class LinkResult:
    """What a linkage run produced (pandas frames; one row per record / per scored pair)."""

    clusters: pd.DataFrame  # unique_id, cluster_id, link_probability
    # Scored pairs between representatives of identical records (see collapse_identical):
    # unique_id_l < unique_id_r, match_weight, match_probability, decision.
    pairs: pd.DataFrame
    model: dict  # the trained Splink model (settings with parameters), prior included
    prior: float
    notes: list[str] = field(default_factory=list)
    # Records whose date of birth was given but fits no date format (set by link_files).
    dates_not_understood: int = 0
    # Their commonest shapes, digits shown as 9 ('99/99/99'), with counts (set by link_files).
    date_shapes: list[tuple[str, int]] = field(default_factory=list)
    # Every candidate blocking rule with its measured comparisons, kept or not and why.
    blocking: list[RuleCount] = field(default_factory=list)


def logit2(p: float) -> float:
    """The log2 odds of a probability: a match weight in bits."""
    return math.log2(p / (1 - p))


def build_settings(model: S.Model, blocking_rules: list) -> SettingsCreator:
    """Splink settings for a dedupe of one prepared table."""
    return SettingsCreator(
        link_type="dedupe_only",
        max_iterations=S.EM_MAX_ITERATIONS,
        unique_id_column_name="unique_id",
        comparisons=model.comparisons,
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def estimate_u_and_prior(linker: Linker, model: S.Model, n_records: int) -> None:
    """Estimate u probabilities from random pairs and a first prior from the deterministic
    rules, on ``linker``'s records: the distinct ones (see resolve for why)."""
    linker.training.estimate_probability_two_random_records_match(
        model.deterministic_rules, recall=0.7
    )
    n_pairs = n_records * (n_records - 1) / 2
    if not 0 < linker._settings_obj._probability_two_random_records_match < 1:
        # No pair agrees on the deterministic rules (a small file of different people):
        # start from one match among all pairs; estimate_prior re-estimates it.
        linker._settings_obj._probability_two_random_records_match = 1 / max(n_pairs, 2)
    # One chunk when every pair fits in the sample: chunks only help to stop early, and each
    # is a separate query (seconds each on Spark).
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(S.U_MAX_PAIRS, max(n_pairs, 1)), seed=S.SEED,
        num_chunks=1 if n_pairs <= S.U_MAX_PAIRS else 10,
    )


def use_name_agreement_u(linker: Linker, con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Set the u probability of "forename and surname exact" to the chance that two of
    ``table``'s records share a forename and a surname by chance (frequency.py says why),
    in place of the share of random pairs agreeing on the whole name."""
    u = name_agreement_u(con, table)
    if u is None:  # no names, or no two records share a forename or a surname
        return
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level._tf_adjustment_input_column_name == NAME_COLUMN:
                level.u_probability = u


def register_frequency_lookups(linker: Linker, con: duckdb.DuckDBPyConnection, table: str,
                         register: Callable[[str], object]) -> None:
    """Give ``linker`` the frequencies of ``table``'s values (frequency.frequency_sql) for
    every column the model adjusts by frequency, in place of Splink's own count."""
    for column in adjusted_columns(linker.misc.save_model_to_json()):
        lookup = f"peel_tf_{column}"
        con.execute(f"CREATE OR REPLACE TABLE {quote_identifier(lookup)} AS "
                    f"{frequency_sql(table, column)}")
        linker.table_management.register_term_frequency_lookup(register(lookup), column)


def train(linker: Linker, model: S.Model, n_records: int, notes: list[str],
          con: duckdb.DuckDBPyConnection, table: str = "peel_training") -> list[Candidate]:
    """Estimate m probabilities from the data (no labels needed), u and the first prior being
    estimated already (estimate_u_and_prior); return the training blocks left to
    ``train_alone`` (each leaves one comparison to train), trained after the others.

    m probabilities are estimated by expectation maximisation within training blocks chosen
    from the data (blocking.choose_training_blocks): a comparison no block with enough pairs
    can train keeps Splink's default m probabilities, and a note says so."""
    compared = {c.output_column_name: S.COMPARISON_COLUMNS.get(c.output_column_name,
                                                               {c.output_column_name})
                for c in linker._settings_obj.comparisons}
    min_pairs = S.min_training_pairs(n_records)
    blocks, untrained = choose_training_blocks(con, table, model.training_candidates, compared,
                                               min_pairs)
    notes.append("m probabilities trained within blocks on "
                 + "; ".join(b.describe() for b in blocks) if blocks else "no training block")
    alone = [b for b in blocks if len(_trainable(b, compared)) == 1]
    for block in [b for b in blocks if b not in alone]:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block.rule(), max_pairs=S.EM_MAX_PAIRS, estimate_without_term_frequencies=True
            )
        except (SplinkException, ValueError) as exc:  # a block that cannot train; others do
            notes.append(f"training block on {block.describe()} could not be used: "
                         f"{str(exc)[:200]}")
    for name in untrained:
        notes.append(f"{name}: not trained (no training block of at least "
                     f"{min_pairs} pairs leaves it out); Splink's default m "
                     "probabilities are used for it")
    floor_m_probabilities(linker)
    return alone


def _trainable(block: Candidate, compared: dict[str, set[str]]) -> list[str]:
    """The comparisons a training block can train: those reading none of its columns."""
    keys = {key_column(k) for k in block.keys}
    return [name for name, columns in compared.items() if not keys & columns]


def train_alone(linker: Linker, blocks: list[Candidate], notes: list[str]) -> None:
    """Train each block that leaves one comparison, with the share of matches in the block
    held at what the prior and the block's own agreement imply.

    Why: with one comparison, expectation maximisation cannot tell the share of matches in
    the block from that comparison's m probabilities (one equation short), and settles on
    whatever makes the comparison decisive (a change of town near-certain evidence against a
    match, where a third of true pairs had moved). The share is Splink's: the first prior
    (from the deterministic rules) times the Bayes factor of the levels the block implies, as
    trained by the other blocks (train)."""
    for block in blocks:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block.rule(), max_pairs=S.EM_MAX_PAIRS, estimate_without_term_frequencies=True,
                fix_probability_two_random_records_match=True,
            )
        except (SplinkException, ValueError) as exc:
            notes.append(f"training block on {block.describe()} could not be used: "
                         f"{str(exc)[:200]}")
    floor_m_probabilities(linker)


def train_from_reviews(linker: Linker, decisions: pd.DataFrame | None, notes: list[str]) -> None:
    """Re-estimate m probabilities from pairs reviewers accepted, once there are enough.

    Reviewed matches are labelled truth; with too few of them their proportions are noise,
    so below model.MIN_REVIEWED_MATCHES_FOR_TRAINING the unsupervised estimates stand.
    """
    if decisions is None or decisions.empty:
        return
    matches = decisions[decisions.decision == "match"][["unique_id_l", "unique_id_r"]]
    if len(matches) < S.MIN_REVIEWED_MATCHES_FOR_TRAINING:
        return
    labels = linker.table_management.register_table(
        matches.reset_index(drop=True), "peel_review_labels", overwrite=True)
    try:
        linker.training.estimate_m_from_pairwise_labels(labels)
    except (SplinkException, ValueError) as exc:
        notes.append(f"review decisions not used for training: {str(exc)[:200]}")
        return
    floor_m_probabilities(linker)
    notes.append(f"m probabilities estimated from {len(matches)} reviewed matches")


def floor_m_probabilities(linker: Linker) -> None:
    """Raise any trained m probability below model.M_FLOOR to it (see there why)."""
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            m = level.m_probability
            if m is not None and m < S.M_FLOOR:
                level.m_probability = S.M_FLOOR


def estimate_prior(
    linker: Linker, predictions, n_records: int, prior0: float
) -> tuple[float, float]:
    """Re-estimate the prior as (expected matches among scored pairs) / (all pairs).

    This is expectation maximisation of the prior alone with m and u held fixed: each round
    shifts every pair's match weight by the change in log prior odds. It runs on a histogram
    of match weights (0.01-bit bins: one query, however many pairs, on any backend). Returns
    the prior and that shift (bits) relative to ``prior0``.
    """
    hist = linker.misc.query_sql(
        f"SELECT round(match_weight, 2) AS w, count(*) AS n FROM {predictions.physical_name} "
        "GROUP BY round(match_weight, 2)",
        output_type="pandas",
    )
    weights = hist["w"].astype(float).to_numpy()
    counts = hist["n"].astype(float).to_numpy()
    n_pairs = max(n_records * (n_records - 1) / 2, 1)
    prior, shift = prior0, 0.0
    for _ in range(S.PRIOR_ITERATIONS):
        expected = float((counts / (1.0 + np.power(2.0, -(weights + shift)))).sum())
        new = min(max(expected / n_pairs, 1e-12), 0.5)
        shift = logit2(new) - logit2(prior0)
        converged = abs(new - prior) / prior < 1e-6
        prior = new
        if converged:
            break
    return prior, shift


def apply_decisions(pairs: pd.DataFrame, decisions: pd.DataFrame | None) -> pd.DataFrame:
    """Human review decisions override the model: 'match' -> probability 1, 'non_match' -> 0."""
    pairs = pairs.copy()
    pairs["decision"] = None
    if decisions is None or decisions.empty:
        return pairs
    d = decisions.copy()
    lo = d[["unique_id_l", "unique_id_r"]].min(axis=1)
    hi = d[["unique_id_l", "unique_id_r"]].max(axis=1)
    d["unique_id_l"], d["unique_id_r"] = lo, hi
    d = d.drop_duplicates(["unique_id_l", "unique_id_r"], keep="last")
    merged = pairs.merge(d[["unique_id_l", "unique_id_r", "decision"]], how="outer",
                         on=["unique_id_l", "unique_id_r"], suffixes=("_old", ""))
    merged = merged.drop(columns=["decision_old"])
    merged.loc[merged["decision"] == "match", "match_probability"] = 1.0
    merged.loc[merged["decision"] == "non_match", "match_probability"] = 0.0
    return merged


def collapse_identical(con: duckdb.DuckDBPyConnection, prepared_table: str,
                       compared: list[str]) -> pd.DataFrame:
    """Write ``peel_distinct``: one representative per group of records identical on every
    compared field, and ``peel_training``: up to model.TRAINING_COPIES of each group; return
    (unique_id, representative) for every record.

    Why: a prolific offender can have thousands of records, mostly exact repeats; scoring
    them pairwise costs the square of that and tells nothing new. Identical records are the
    same entity by construction (probability 1).
    """
    cols = ", ".join(quote_identifier(c) for c in compared)
    con.execute(
        f"""CREATE OR REPLACE TABLE peel_members AS
        SELECT unique_id, min(unique_id) OVER (PARTITION BY {cols}) AS representative
        FROM {prepared_table}"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE peel_distinct AS
        SELECT p.* FROM {prepared_table} p JOIN peel_members m
        ON m.unique_id = p.unique_id AND m.representative = p.unique_id"""
    )
    # What training reads (model.TRAINING_COPIES): a few copies of each group, not one.
    con.execute(
        f"""CREATE OR REPLACE TABLE peel_training AS SELECT * FROM {prepared_table}
        QUALIFY row_number() OVER (PARTITION BY {cols} ORDER BY unique_id) <= {int(S.TRAINING_COPIES)}"""
    )
    return con.execute("SELECT unique_id, representative FROM peel_members").df()


def to_representatives(decisions: pd.DataFrame | None, members: pd.DataFrame) -> pd.DataFrame | None:
    """Express review decisions between records as decisions between their representatives."""
    if decisions is None or decisions.empty:
        return decisions
    rep = members.set_index("unique_id")["representative"]
    d = decisions.copy()
    d["unique_id_l"] = d.unique_id_l.map(rep).fillna(d.unique_id_l)
    d["unique_id_r"] = d.unique_id_r.map(rep).fillna(d.unique_id_r)
    return d[d.unique_id_l != d.unique_id_r]


def expand_to_members(clusters: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Give every record its representative's entity; identical records link at probability 1."""
    out = members.merge(clusters.rename(columns={"unique_id": "representative"}),
                        on="representative", how="left")
    group_size = out.groupby("representative")["unique_id"].transform("size")
    out.loc[group_size > 1, "link_probability"] = 1.0
    return out[["unique_id", "cluster_id", "link_probability"]]


def name_only_sql(exact_columns: list[str], *, nor_town_or_sex: bool = False) -> str:
    """A condition on a prepared record: it holds a name and nothing that identifies a
    person beyond it (a town or a sex may be there, unless ``nor_town_or_sex``)."""
    others = ["date_of_birth", "postcode", "address", "house_number", "phone", "email",
              "pnc_id", *exact_columns, *(["town", "sex"] if nor_town_or_sex else [])]
    return " AND ".join(f"{quote_identifier(c)} IS NULL" for c in others)


def without_name_only(con: duckdb.DuckDBPyConnection, pairs: pd.DataFrame,
                      exact_columns: list[str]) -> pd.DataFrame:
    """The pairs that do not touch a record holding nothing but a name, unless a reviewer
    accepted them.

    Why: a rare name shared is strong evidence (frequency.py), so a name-only record (an
    incident caller) can score above the threshold with two different people of that name
    and chain them into one entity. Such records are placed by attach_name_only instead."""
    only = name_only_sql(exact_columns, nor_town_or_sex=True)
    ids = [r[0] for r in con.execute(f"SELECT unique_id FROM peel_distinct WHERE {only}").fetchall()]
    touches = pairs.unique_id_l.isin(ids) | pairs.unique_id_r.isin(ids)
    return pairs[~touches | (pairs.decision == "match")]


def attach_name_only(con: duckdb.DuckDBPyConnection, clusters: pd.DataFrame,
                     exact_columns: list[str]) -> pd.DataFrame:
    """Attach records that hold nothing but a name to the one entity that has that name.

    A record with only a forename and surname (an incident caller, a name overheard) can never
    reach the match threshold on its own. When exactly one entity among records with more
    evidence carries that exact name (nickname-normalised), the record joins it; when
    several do, or none, it stays apart. Such records get no link probability.
    """
    only_name = name_only_sql(exact_columns)
    con.register("peel_clusters_frame", clusters[["unique_id", "cluster_id"]])
    moved = con.execute(
        f"""WITH c AS (SELECT d.unique_id, d.forename_canon, d.surname, f.cluster_id,
                              ({only_name}) AS name_only
                       FROM peel_distinct d JOIN peel_clusters_frame f USING (unique_id)),
             anchored AS (SELECT DISTINCT cluster_id FROM c WHERE NOT name_only),
             owners AS (SELECT forename_canon, surname, min(cluster_id) AS owner
                        FROM c WHERE NOT name_only AND forename_canon IS NOT NULL
                             AND surname IS NOT NULL
                        GROUP BY forename_canon, surname
                        HAVING count(DISTINCT cluster_id) = 1)
        SELECT c.unique_id, o.owner FROM c
        JOIN owners o USING (forename_canon, surname)
        WHERE c.name_only AND c.cluster_id NOT IN (SELECT cluster_id FROM anchored)"""
    ).df()
    con.unregister("peel_clusters_frame")
    if moved.empty:
        return clusters
    owner = moved.set_index("unique_id")["owner"]
    clusters = clusters.copy()
    hit = clusters.unique_id.isin(owner.index)
    clusters.loc[hit, "cluster_id"] = clusters.loc[hit, "unique_id"].map(owner)
    return clusters


def resolve(
    con: duckdb.DuckDBPyConnection,
    prepared_table: str,
    fields: list[str],
    *,
    exact_columns: tuple[str, ...] = (),
    backend: str = "duckdb",
    decisions: pd.DataFrame | None = None,
    progress: Progress | None = None,
    truth: pd.Series | None = None,
) -> LinkResult:
    """Link the records of ``prepared_table`` (see prepare.py) into entities.

    ``truth`` (the true entity of each unique_id, a test set's), when given, is used only to
    report the share of true pairs each blocking rule brings together."""
    step = progress or (lambda _msg: None)
    notes: list[str] = []
    compared = sorted(set(fields) | set(exact_columns))
    if not compared:
        raise ValueError(S.NO_FIELDS_TO_COMPARE)
    members = collapse_identical(con, prepared_table, compared)
    decisions = to_representatives(decisions, members)
    con.execute(f"SET memory_limit = {quote_literal(S.WORK_MEMORY_LIMIT)}")
    con.execute("SET preserve_insertion_order = false")  # less memory; order is not needed
    n = con.execute("SELECT count(*) FROM peel_distinct").fetchall()[0][0]
    model = S.build_model(set(fields), list(exact_columns))
    db_api, register = make_engine(backend, con)
    if n < S.MIN_DISTINCT_RECORDS:
        raise ValueError(
            f"Only {n} distinct record(s) to link: peel estimates its model from the records "
            f"themselves and needs at least {S.MIN_DISTINCT_RECORDS}. To check a record against "
            "records already linked, use 'peel link match'."
        )
    step("measuring blocking rules")
    kept, blocking = choose_rules(con, "peel_distinct", model.blocking_candidates,
                                  S.comparison_budget(n))
    if truth is not None:
        blocking_recall(con, prepared_table, truth, kept, blocking)
    settings = build_settings(model, [c.rule() for c in kept])

    step("training the model")
    # u probabilities and the first prior from the distinct records: a person's exact copies
    # (which training reads, see collapse_identical) agree on everything, so random pairs of
    # them would count as chance agreement (the exact-name u was 30 times too high on the
    # names-only set) and as rule matches; that held the share of matches in the name block
    # far too low, and training learnt a change of town as near-proof of a different person.
    # Each Linker has its own engine: Splink caches tables (the records with their term
    # frequencies) per engine, and scoring must read peel_distinct, not peel_training.
    estimator = Linker(make_engine(backend, con)[1]("peel_distinct"), settings, log_level=None)
    estimate_u_and_prior(estimator, model, n)
    use_name_agreement_u(estimator, con, "peel_distinct")
    trainer = Linker(make_engine(backend, con)[1]("peel_training"),
                     estimator.misc.save_model_to_json(), log_level=None)
    n_training = con.execute("SELECT count(*) FROM peel_training").fetchall()[0][0]
    alone = train(trainer, model, n_training, notes, con)
    train_from_reviews(trainer, decisions, notes)
    sdf = register("peel_distinct")
    # Keep pairs that could reach KEEP_PAIRS_ABOVE after the prior is re-estimated (it can
    # move by several bits), hence the margin.
    floor = logit2(S.KEEP_PAIRS_ABOVE) - S.PRIOR_SHIFT_MARGIN
    train_alone(trainer, alone, notes)
    linker = Linker(sdf, trainer.misc.save_model_to_json(), log_level=None)
    register_frequency_lookups(linker, con, "peel_distinct", register)
    prior0 = linker._settings_obj._probability_two_random_records_match

    step("scoring candidate pairs")
    predictions = linker.inference.predict(threshold_match_weight=floor, warning_mode="never")

    step("estimating how many pairs match")
    prior, shift = estimate_prior(linker, predictions, n, prior0)
    if shift > S.PRIOR_SHIFT_MARGIN:
        notes.append(f"prior moved {shift:.1f} bits, more than the scoring margin: "
                     "some pairs near the floor were not scored")
    keep_weight = logit2(S.KEEP_PAIRS_ABOVE) - shift
    pairs = linker.misc.query_sql(
        f"""SELECT unique_id_l, unique_id_r, match_weight + {shift} AS match_weight,
                   1.0 / (1.0 + power(2.0, -(match_weight + {shift}))) AS match_probability
            FROM {predictions.physical_name} WHERE match_weight >= {keep_weight}""",
        output_type="pandas",
    )
    pairs[["unique_id_l", "unique_id_r"]] = pairs[["unique_id_l", "unique_id_r"]].astype(str)
    swap = pairs.unique_id_l > pairs.unique_id_r
    pairs.loc[swap, ["unique_id_l", "unique_id_r"]] = pairs.loc[
        swap, ["unique_id_r", "unique_id_l"]
    ].values
    pairs = apply_decisions(pairs, decisions)

    step("clustering into entities")
    nodes = con.execute("SELECT unique_id FROM peel_distinct").df()
    linking = without_name_only(con, pairs, list(exact_columns)) if S.ATTACH_NAME_ONLY_RECORDS \
        else pairs
    edges = linking[linking.match_probability >= S.MATCH_THRESHOLD][
        ["unique_id_l", "unique_id_r", "match_probability"]
    ]
    clustered = cluster_pairwise_predictions_at_threshold(
        nodes, edges.reset_index(drop=True), db_api, "unique_id",
        threshold_match_probability=S.MATCH_THRESHOLD,
    ).as_pandas_dataframe()
    clusters = clustered[["unique_id", "cluster_id"]].astype(str)
    clusters = split_weakly_held(clusters, edges, notes)
    if S.ATTACH_NAME_ONLY_RECORDS:
        clusters = attach_name_only(con, clusters, list(exact_columns))
    rejected = pairs[pairs.decision == "non_match"]
    clusters = split_rejected(clusters, edges, rejected)
    best = pd.concat([
        edges.rename(columns={"unique_id_l": "unique_id"})[["unique_id", "match_probability"]],
        edges.rename(columns={"unique_id_r": "unique_id"})[["unique_id", "match_probability"]],
    ]).groupby("unique_id")["match_probability"].max()
    clusters["link_probability"] = clusters.unique_id.map(best)
    clusters = expand_to_members(clusters, members)

    trained = linker.misc.save_model_to_json()
    trained["probability_two_random_records_match"] = prior
    trained["peel_fields"] = list(fields)
    trained["peel_exact_columns"] = list(exact_columns)
    trained["peel_blocking"] = [r.as_dict() for r in blocking]
    predictions.drop_table_from_database_and_remove_from_cache()
    return LinkResult(clusters=clusters, pairs=pairs, model=trained, prior=prior, notes=notes,
                      blocking=blocking)
