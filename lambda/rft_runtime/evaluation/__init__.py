"""Measuring models on a dataset with the pipeline's reward: ``rft baseline`` and ``rft compare``.

Modules, one job each:

- ``prompts``: the dataset's prompts (validated first), each with a stable content hash.
- ``models``: which model identifier forms Converse accepts here (model id, inference profile,
  deployment ARN, ...), checked before any paid call.
- ``base_model``: the id Converse calls for a pipeline's base model (its Region's inference profile,
  not the id RFT trains from).
- ``converse``: one Converse request per prompt and sample, and what comes back (text, tokens).
- ``throttle``: bounded concurrency that halves on throttling and backs off; a throttle never fails
  a run.
- ``store``: the local response store (JSONL) that makes an interrupted run resume and lets
  ``compare`` reuse ``baseline``'s responses.
- ``collect``: getting every response for a model: from the store, else from Converse.
- ``progress``: the progress bar (rate and ETA) on stderr.
- ``runs``: one side of an evaluation (a model through the store, or recordings), graded.
- ``recordings``: offline responses (``{"id", "response"}`` JSONL).
- ``grading``: scores through the reward Lambda's own code path (``rewards.batch.grade_event``).
- ``stats``: mean with a 95% CI, pass rate, histogram, per-prompt variance, zero-variance prompts,
  paired delta with a paired-bootstrap CI, win/tie/loss.
- ``verdicts``: the plain sentences that end each report.
- ``summary``: the figures as JSON-ready dicts and as text.
- ``report_html`` / ``report_assets``: the self-contained HTML comparison report.
- ``inputs``: the command-line inputs both commands share (dataset, reward, settings, config).
"""
