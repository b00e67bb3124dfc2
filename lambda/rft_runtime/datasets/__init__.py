"""RFT training data: a streaming dataset validator and an invocation-log converter.

Standard library only; boto3 is imported lazily, and only when a source is on S3.

- :func:`validate_path` checks a JSONL file and returns a :class:`ValidationReport` of :class:`Issue`
  (issue codes in :mod:`.codes`).
- :func:`convert_logs` turns Bedrock model invocation logs into training rows and returns a
  :class:`ConversionSummary`; :class:`MetadataFilter` selects records by request metadata.
"""

from rft_runtime.datasets.converter import ConversionError, ConversionSummary, convert_logs
from rft_runtime.datasets.logs.filters import MetadataFilter
from rft_runtime.datasets.logs.sources import SourceError
from rft_runtime.datasets.report import Issue, ValidationReport
from rft_runtime.datasets.validator import validate_path

__all__ = [
    "ConversionError",
    "ConversionSummary",
    "Issue",
    "MetadataFilter",
    "SourceError",
    "ValidationReport",
    "convert_logs",
    "validate_path",
]
