"""Record linkage: person records from every source resolved into entities with Splink,
every link explainable and every accuracy figure measured against ground truth.

The public face; the modules behind it can move.
"""

from peel.linkage.evaluate import Evaluation, evaluate_clusters, evaluate_file
from peel.linkage.files import link_files
from peel.linkage.mapping import Mapping, MappingError, read_mapping
from peel.linkage.resolve import LinkResult, resolve

__all__ = [
    "Evaluation",
    "LinkResult",
    "Mapping",
    "MappingError",
    "evaluate_clusters",
    "evaluate_file",
    "link_files",
    "read_mapping",
    "resolve",
]
