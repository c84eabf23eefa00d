"""``peel link ...``: resolve persons into entities, explain a link, match a new record,
review near-threshold pairs, link ad-hoc files, and measure accuracy against ground truth."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import duckdb
import typer
from rich.table import Table

from peel.casebook.cli import ACTING, ACTING_NAME, refusals_exit, signed_in_user
from peel.console import (  # reads no markup; escapes control characters
    Console,
    error_line,
    make_progress,
)
from peel.linkage.model import MATCH_CANDIDATE_THRESHOLD, MATCH_THRESHOLD
from peel.settings import get_settings

console = Console()
link_app = typer.Typer(
    no_args_is_help=False,
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(link_app, name="link")


class _Steps:
    """A Rich progress display whose description follows the linkage steps."""

    def __enter__(self):
        self.progress = make_progress(console, transient=False)
        self.progress.__enter__()
        self.task = self.progress.add_task("starting", total=None)
        return self

    def __call__(self, message: str) -> None:
        self.progress.update(self.task, description=message)

    def __exit__(self, *exc):
        self.progress.update(self.task, description="done")
        return self.progress.__exit__(*exc)


def _fail(message: str) -> None:
    console.print(error_line(message, "error: "))
    raise typer.Exit(code=2)


def print_run_report(blocking: list[dict], notes: list[str]) -> None:
    """The blocking rules kept, with the comparisons each makes (measured) and, when truth was
    given, the share of true pairs each adds; the rules left out, and why; and the run's
    notes (what could not be trained)."""
    kept = [rule for rule in blocking if rule["kept"]]
    with_recall = any(rule.get("recall_added") is not None for rule in kept)
    table = Table("blocking rule", "comparisons", *(["true pairs added"] if with_recall else []))
    for rule in kept:
        recall = [f"{rule['recall_added']:.1%}"] if with_recall else []
        table.add_row(rule["rule"], f"{rule['comparisons']:,}", *recall)
    console.print(table)
    left_out = [rule for rule in blocking if not rule["kept"]]
    if left_out:
        console.print("Left out: " + "; ".join(
            f"{rule['rule']} ({rule['comparisons']:,}: {rule['reason']})"
            for rule in left_out) + ".", highlight=False)
    for note in notes:
        console.print(error_line(note, "note: ", "yellow"))


def errors_exit(command):
    """Turn a bad input (no warehouse, a missing or unreadable file, an unusable mapping or backend setting,
    a malformed CSV) into its message and exit status 2, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (ValueError, duckdb.Error) as exc:
            _fail(str(exc))
        except OSError as exc:  # a missing file, a folder given for a file, no permission
            _fail(f"{exc.filename}: {exc.strerror}." if exc.filename else str(exc))

    return wrapper


@link_app.callback()
@errors_exit
@refusals_exit
def link(ctx: typer.Context,
         purpose: str | None = typer.Option(None, "--purpose", help="Why the records are combined (logged)."),
         acting: str | None = ACTING_NAME) -> None:
    """Resolve the person records of every loaded source into entities.

    Writes to the warehouse: the entity of each record (ids stable across runs), the scored
    candidate pairs, and the links from entities to addresses, vehicles, events and each
    other. Review decisions ('peel link review') are respected. Sub-commands explain a pair,
    match new records, review pairs, link files and evaluate.

    A combination of personal data: needs a user signed in ('peel login') whose role may
    combine linkage records and a --purpose, both logged with the run.
    """
    if ctx.invoked_subcommand is not None:
        return
    acting = signed_in_user(ctx, acting)
    from sqlalchemy.exc import SQLAlchemyError

    from peel.linkage.review import sync_casebook_decisions
    from peel.linkage.warehouse_run import combine_warehouse

    try:
        synced = sync_casebook_decisions()
    except (SQLAlchemyError, OSError) as exc:
        console.print(error_line(f"the casebook could not be read ({type(exc).__name__}), "
                      "so review decisions made there since the last 'peel link review' may be "
                      "missing from this run.", "warning: ", "yellow"))
    else:
        if synced:
            console.print(f"{synced} review decision(s) taken from the casebook.")
    with _Steps() as steps:
        summary = combine_warehouse(acting, purpose=purpose, progress=steps)
    console.print(
        f"Run {summary['run_id']}: {summary['records']:,} person records -> "
        f"{summary['entities']:,} entities; {summary['scored_pairs']:,} scored pairs kept; "
        f"{summary['review_decisions']:,} review decisions applied; match threshold "
        f"{MATCH_THRESHOLD}."
    )
    print_run_report(summary["blocking"], summary["notes"])


PURPOSE = typer.Option(None, "--purpose", help="Why you need it (kept in the audit log).")
RECORD_A = typer.Argument(..., help="record_key of the first person record.")
RECORD_B = typer.Argument(..., help="record_key of the second person record.")


@link_app.command("file")
@errors_exit
@refusals_exit
def file_command(
    inputs: list[Path] = typer.Argument(..., help="CSV or Parquet files to link or deduplicate."),
    mapping: Path = typer.Option(..., "--mapping", help="YAML mapping from columns to person fields (docs/ingest.md)."),
    out: Path = typer.Option(..., "--out", help="CSV to write: id,entity_id for every input record."),
    purpose: str | None = PURPOSE,
    acting: str | None = ACTING,
    truth: Path | None = typer.Option(
        None, help="CSV or Parquet with each id's true entity: then the share of true pairs "
        "each blocking rule brings together is printed."),
    truth_id: str = typer.Option("id", help="Id column in the truth file."),
    truth_entity: str | None = typer.Option(None, help="True entity column in the truth file."),
) -> None:
    """Link or deduplicate CSV/Parquet files outside the warehouse, given a column mapping.

    Writes OUT with one row per input record: its id and its entity id (plus 'source' when
    ids repeat across files). Example mappings: src/peel/linkage/mappings/. A combination of
    personal data: needs a signed-in user who may combine linkage records and a --purpose.
    """
    from peel.linkage.evaluate import read_truth
    from peel.linkage.files import combine_files, date_forms, describe_shapes
    from peel.sources.mapped import read_mapping

    known = None
    if truth is not None:
        t = read_truth(truth)
        if truth_entity is None or truth_id not in t or truth_entity not in t:
            _fail(f"{truth}: give --truth-id and --truth-entity, columns of the file "
                  f"(its columns are {', '.join(t.columns)}).")
        known = t.drop_duplicates(truth_id).set_index(truth_id)[truth_entity]

    m = read_mapping(mapping)
    if m.old_keys:
        console.print(error_line(
            f"{mapping} uses the old linkage keys {', '.join(m.old_keys)}; "
            "they are read as record_id, person (its address as street) and date_formats. "
            "See docs/ingest.md, 'The mapping language'.", "note: ", "dim"))
    with _Steps() as steps:
        table, result = combine_files(acting, inputs, mapping, out, purpose=purpose,
                                      backend=get_settings().linkage_backend, progress=steps, truth=known)
    if result.dates_not_understood:
        console.print(error_line(
            f"{result.dates_not_understood:,} date(s) of birth could "
            f"not be read as a date by {date_forms(m)} in {mapping}, nor as a date with a "
            "mistyped day or month in one of those layouts; they look like "
            f"{describe_shapes(result.date_shapes)} (digits shown as 9). Those records "
            "are linked without a date of birth.", "warning: ", "yellow"))
    print_run_report([r.as_dict() for r in result.blocking], result.notes)
    console.print(
        f"{len(table):,} records -> {table['entity_id'].nunique():,} entities; "
        f"{(result.pairs.match_probability >= MATCH_THRESHOLD).sum():,} pairs at or above the match threshold ({MATCH_THRESHOLD}). Written to {out}."
    )


@link_app.command("evaluate")
@errors_exit
def evaluate_command(
    predicted: Path | None = typer.Argument(
        None, help="Output of 'peel link file' (id,entity_id). Omit to evaluate the warehouse run "
        "against the demo force's truth."),
    truth: Path | None = typer.Option(None, help="CSV or Parquet with the true entity of each "
                                      "id (and a 'source' column when ids repeat across files)."),
    truth_id: str = typer.Option("id", help="Id column in the truth file."),
    truth_entity: str | None = typer.Option(None, help="True entity column in the truth file."),
    id_pattern: str | None = typer.Option(
        None, help="Regex whose first group, applied to each id, is its true entity "
        "(FEBRL: 'rec-(\\d+)')."),
    as_json: bool = typer.Option(False, "--json", help="Print the measures as JSON."),
    demo_truth: Path | None = typer.Option(
        None, help="Truth for the warehouse run (default PEEL_HOME/demo/truth/person_records.parquet)."),
) -> None:
    """Measure linkage against ground truth: pairwise precision, recall, F1 and cluster measures.

    Pairwise over the final entities: two records in one entity is a predicted pair, so
    cluster mistakes count.
    """
    from peel.linkage.evaluate import evaluate_file

    if predicted is None:
        from peel.linkage.warehouse_run import evaluate_demo

        result = evaluate_demo(demo_truth)
    else:
        result = evaluate_file(predicted, truth, truth_id=truth_id, truth_entity=truth_entity,
                               id_pattern=id_pattern)
    if result.records_without_truth:
        # On stderr-like output before the measures, so --json output stays parseable after it.
        console.print(error_line(
            f"{result.records_without_truth:,} record(s) of "
            f"{predicted or 'the warehouse run'} have no entity in the truth; they "
            "are left out of every measure below.", "warning: ", "yellow"))
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
        return
    table = Table("measure", "value")
    for key, value in result.as_dict().items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else f"{value:,}")
    console.print(table)


@link_app.command("explain")
@errors_exit
@refusals_exit
def explain_command(
    record_a: str = RECORD_A,
    record_b: str = RECORD_B,
    purpose: str | None = PURPOSE,
    acting: str | None = ACTING,
) -> None:
    """Why two records were or were not linked: each piece of evidence with its weight,
    in words and as a chart (Vega-Lite JSON and SVG under PEEL_HOME/outputs/linkage).

    A consultation of person records: needs a casebook user who may read linked records
    ('peel login') and a --purpose, both kept in the audit log."""
    from peel.linkage.explain import explain_pair, write_chart

    explanation = explain_pair(acting, record_a, record_b, purpose=purpose)
    table = Table("evidence", "agreement", "weight (bits)")
    table.add_row("prior", "before any evidence", f"{explanation.prior_weight:+.2f}")
    for e in explanation.evidence:
        table.add_row(e.evidence, e.level, f"{e.match_weight:+.2f}")
    table.add_row("total", f"probability {explanation.match_probability:.4f}",
                  f"{explanation.match_weight:+.2f}")
    console.print(table)
    for line in explanation.sentences():
        console.print(line)
    json_path, svg_path = write_chart(explanation)
    console.print(f"Chart: {svg_path} (spec {json_path})")


@link_app.command("match")
@errors_exit
@refusals_exit
def match_command(
    forename: str | None = typer.Option(None, help="Forename (first name)."),
    surname: str | None = typer.Option(None, help="Surname (family name)."),
    full_name: str | None = typer.Option(None, help="When forename/surname are not separate."),
    date_of_birth: str | None = typer.Option(None, "--dob", help="ISO or UK day-first."),
    sex: str | None = typer.Option(None, help="M or F (the first letter is read)."),
    postcode: str | None = typer.Option(None, help="Postcode, any case or spacing."),
    house_number: str | None = typer.Option(None, help="House number or name."),
    address: str | None = typer.Option(
        None, help="Street address line (a leading house number is read from it)."),
    town: str | None = typer.Option(None, help="Town or city."),
    email: str | None = typer.Option(None, help="Email address."),
    phone: str | None = typer.Option(None, help="Phone number (+44 is read as 0)."),
    pnc_id: str | None = typer.Option(None, help="Police National Computer id."),
    file: list[Path] | None = typer.Option(None, help="CSV/Parquet of new records instead."),
    mapping: Path | None = typer.Option(None, help="Mapping for --file (as 'peel link file')."),
    threshold: float = typer.Option(MATCH_CANDIDATE_THRESHOLD,
                                    help="Lowest probability to list a candidate."),
    out: Path | None = typer.Option(None, help="Also write the candidates to this CSV."),
    purpose: str | None = PURPOSE,
    acting: str | None = ACTING,
) -> None:
    """The existing entities a new record probably belongs to, with probabilities, scored
    with the latest run's model (no re-run of the linkage).

    A consultation of linked person records: needs a casebook user who may read them
    ('peel login') and a --purpose; each candidate entity shown is logged."""
    import pandas as pd

    from peel.linkage.match import match_records

    given = {k: v for k, v in {
        "forename": forename, "surname": surname, "full_name": full_name, "date_of_birth": date_of_birth,
        "sex": sex, "postcode": postcode, "house_number": house_number, "address": address, "town": town,
        "email": email, "phone": phone, "pnc_id": pnc_id}.items() if v is not None}
    if not file and not given:
        _fail("Give a record's details (e.g. --surname, --dob) or --file with --mapping.")
    records = None if file else pd.DataFrame([{"id": "1", **given}])
    with _Steps() as steps:
        found = match_records(acting, records, purpose=purpose, files=file, mapping=mapping,
                              threshold=threshold, progress=steps)
    if out is not None:
        found.to_csv(out, index=False)
    if found.empty:
        console.print(f"No existing entity at or above probability {threshold}.")
        return
    table = Table("new record", "entity", "probability", "records compared", "entity records")
    for row in found.itertuples():
        table.add_row(str(row.id), str(row.entity_id), f"{row.match_probability:.4f}",
                      str(row.records_compared), str(row.entity_records))
    console.print(table)


review_app = typer.Typer(invoke_without_command=True)
link_app.add_typer(review_app, name="review")


@review_app.callback()
@errors_exit
@refusals_exit
def review_command(
    ctx: typer.Context,
    limit: int = typer.Option(20, help="How many pairs to list."),
    purpose: str | None = PURPOSE,
    acting: str | None = ACTING_NAME,
) -> None:
    """The pairs near the threshold, closest first, for a person to accept or reject with
    'peel link review accept A B --reason ...' / 'reject A B --reason ...'.

    Needs a signed-in user ('peel login') whose role may decide linkage reviews and a
    --purpose. Each pair is filed once in the casebook review queue (record keys, probability
    and evidence; no personal data); explaining the pairs filed now is logged as a
    consultation of their records. Decisions apply from the next 'peel link'."""
    if ctx.invoked_subcommand is not None:
        return
    acting = signed_in_user(ctx, acting)
    from peel.linkage.review import queue_pairs_for_review

    pairs = queue_pairs_for_review(acting, limit, purpose=purpose)
    if pairs.empty:
        console.print("No undecided pairs near the threshold.")
        return
    table = Table("review item", "record A", "record B", "probability", "same entity now")
    for column in table.columns[1:3]:
        column.overflow = "fold"
    for row in pairs.itertuples():
        table.add_row(str(row.item_id), row.record_key_l, row.record_key_r,
                      f"{row.match_probability:.4f}", "yes" if row.same_entity else "no")
    console.print(table)
    console.print("See the evidence with 'peel link explain A B --purpose ...'.")


def _decide(record_a: str, record_b: str, accept: bool, acting: str | None,
            reason: str | None) -> None:
    from peel.linkage.review import decide_pair

    try:
        decided = decide_pair(acting, record_a, record_b, accept=accept, reason=reason)
    except RuntimeError as exc:
        _fail(str(exc))
    except duckdb.Error as exc:
        _fail(f"The warehouse could not take the decision ({exc}), so it was not recorded in "
              "the casebook either. Try again when no other 'peel' command is writing to it.")
    console.print(f"Recorded: {decided.decision.replace('_', '-')} by {decided.decided_by} "
                  f"(review item {decided.item_id}). It applies from the next 'peel link'.")


REASON = typer.Option(None, "--reason", help="Why (kept with the decision; required).")


@review_app.command("accept")
@errors_exit
@refusals_exit
def accept_command(record_a: str = RECORD_A, record_b: str = RECORD_B, reason: str | None = REASON,
                   acting: str | None = ACTING) -> None:
    """Decide that two queued records are the same person (with your reason)."""
    _decide(record_a, record_b, True, acting, reason)


@review_app.command("reject")
@errors_exit
@refusals_exit
def reject_command(record_a: str = RECORD_A, record_b: str = RECORD_B, reason: str | None = REASON,
                   acting: str | None = ACTING) -> None:
    """Decide that two queued records are different people (kept apart in every later run)."""
    _decide(record_a, record_b, False, acting, reason)
