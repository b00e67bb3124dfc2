"""The ``rft`` command line: one module per subcommand, dispatched by :mod:`rft_runtime.cli.main`."""
