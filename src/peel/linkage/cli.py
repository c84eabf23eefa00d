"""``peel link ...``: resolve persons into entities, explain a link, match a new record,
review near-threshold pairs, link ad-hoc files, and measure accuracy against ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from peel.linkage.settings import MATCH_THRESHOLD
from peel.settings import get_settings

console = Console()
link_app = typer.Typer(
    help="Link the force's records across sources into persons, addresses and vehicles.",
    no_args_is_help=False,
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(link_app, name="link")


class _Steps:
    """A Rich progress display whose description follows the linkage steps."""

    def __enter__(self):
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=console, transient=False)
        self.progress.__enter__()
        self.task = self.progress.add_task("starting", total=None)
        return self

    def __call__(self, message: str) -> None:
        self.progress.update(self.task, description=message)

    def __exit__(self, *exc):
        self.progress.update(self.task, description="done")
        return self.progress.__exit__(*exc)


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=2)


@link_app.command("file")
def file_command(
    inputs: list[Path] = typer.Argument(..., help="CSV or Parquet files to link or deduplicate."),
    mapping: Path = typer.Option(..., "--mapping", help="YAML mapping from columns to person fields."),
    out: Path = typer.Option(..., "--out", help="CSV to write: id,entity_id for every input record."),
) -> None:
    """Link or deduplicate CSV/Parquet files outside the warehouse, given a column mapping.

    Writes OUT with one row per input record: its id and its entity id (plus 'source' when
    ids repeat across files). Example mappings: src/peel/linkage/mappings/.
    """
    from peel.linkage.files import link_files
    from peel.linkage.mapping import MappingError

    try:
        with _Steps() as steps:
            table, result = link_files(inputs, mapping, out, backend=get_settings().linkage_backend,
                                       progress=steps)
    except MappingError as exc:
        _fail(str(exc))
    console.print(
        f"{len(table):,} records -> {table['entity_id'].nunique():,} entities; "
        f"{(result.pairs.match_probability >= MATCH_THRESHOLD).sum():,} pairs at or above the match threshold ({MATCH_THRESHOLD}). Written to {out}."
    )


@link_app.command("evaluate")
def evaluate_command(
    predicted: Path | None = typer.Argument(
        None, help="Output of 'peel link file' (id,entity_id). Omit to evaluate the warehouse run "
        "against the demo force's truth."),
    truth: Path | None = typer.Option(None, help="CSV with the true entity of each id."),
    truth_id: str = typer.Option("id", help="Id column in the truth file."),
    truth_entity: str | None = typer.Option(None, help="True entity column in the truth file."),
    id_pattern: str | None = typer.Option(
        None, help="Regex whose first group, applied to each id, is its true entity "
        "(FEBRL: 'rec-(\\d+)')."),
    as_json: bool = typer.Option(False, "--json", help="Print the measures as JSON."),
) -> None:
    """Measure linkage against ground truth: pairwise precision, recall, F1 and cluster measures.

    Pairwise over the final entities: two records in one entity is a predicted pair, so
    cluster mistakes count.
    """
    from peel.linkage.evaluate import evaluate_file

    if predicted is None:
        from peel.linkage.warehouse_run import evaluate_demo

        try:
            result = evaluate_demo()
        except (FileNotFoundError, ValueError) as exc:
            _fail(str(exc))
    else:
        try:
            result = evaluate_file(predicted, truth, truth_id=truth_id, truth_entity=truth_entity,
                                   id_pattern=id_pattern)
        except (FileNotFoundError, ValueError) as exc:
            _fail(str(exc))
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
        return
    table = Table("measure", "value")
    for key, value in result.as_dict().items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else f"{value:,}")
    console.print(table)
